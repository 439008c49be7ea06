use proptest::collection::vec;
use proptest::prelude::*;

use super::*;

type Kv = KvModel<&'static str, u64>;
type Op = Operation<KvInput<&'static str, u64>, KvOutput<u64>>;

fn put(key: &'static str, value: u64, call: Time, at: Time) -> Op {
    Operation::returned(0, KvInput::Put { key, value }, call, at, KvOutput::Written)
}

fn unknown_put(key: &'static str, value: u64, call: Time) -> Op {
    Operation::unknown(0, KvInput::Put { key, value }, call)
}

fn get(key: &'static str, seen: Option<u64>, call: Time, at: Time) -> Op {
    Operation::returned(1, KvInput::Get { key }, call, at, KvOutput::Value(seen))
}

fn cas(
    key: &'static str,
    expected: Option<u64>,
    new: u64,
    swapped: bool,
    call: Time,
    at: Time,
) -> Op {
    Operation::returned(
        2,
        KvInput::Cas { key, expected, new },
        call,
        at,
        KvOutput::Swapped(swapped),
    )
}

fn delete(key: &'static str, call: Time, at: Time) -> Op {
    Operation::returned(0, KvInput::Delete { key }, call, at, KvOutput::Written)
}

fn verdict(history: &[Op]) -> Verdict {
    check(&Kv::default(), history, Budget::default())
}

fn violation(history: &[Op]) -> Violation {
    match verdict(history) {
        Verdict::Illegal(violation) => violation,
        other => panic!("expected a violation, got {other}"),
    }
}

#[test]
fn empty_and_unknown_only_histories_are_linearizable() {
    assert!(verdict(&[]).is_ok());
    assert!(verdict(&[unknown_put("x", 1, 0), unknown_put("x", 2, 5)]).is_ok());
}

#[test]
fn a_sequential_history_is_linearizable() {
    let history = [
        get("x", None, 0, 1),
        put("x", 1, 2, 3),
        get("x", Some(1), 4, 5),
        cas("x", Some(1), 2, true, 6, 7),
        cas("x", Some(1), 3, false, 8, 9),
        get("x", Some(2), 10, 11),
        cas("x", None, 4, false, 12, 13),
        delete("x", 14, 15),
        cas("x", None, 5, true, 16, 17),
        get("x", Some(5), 18, 19),
    ];
    assert!(verdict(&history).is_ok(), "{}", verdict(&history));
}

#[test]
fn a_sequential_history_with_a_wrong_answer_is_not() {
    let history = [put("x", 1, 0, 1), cas("x", Some(1), 2, false, 2, 3)];
    let violation = violation(&history);
    assert_eq!(violation.longest_prefix, vec![0]);
    assert_eq!(violation.blocked, 1);
}

#[test]
fn a_get_overlapping_a_put_may_see_either_value() {
    for seen in [Some(1), Some(2)] {
        let history = [put("x", 1, 0, 10), put("x", 2, 20, 40), get("x", seen, 25, 35)];
        assert!(verdict(&history).is_ok(), "{seen:?}: {}", verdict(&history));
    }
    // Put 1 had returned: the key can no longer be absent.
    let history = [put("x", 1, 0, 10), put("x", 2, 20, 40), get("x", None, 25, 35)];
    assert_eq!(violation(&history).blocked, 2);
}

#[test]
fn intervals_that_touch_overlap() {
    let history = [put("x", 1, 0, 10), get("x", None, 10, 20)];
    assert!(verdict(&history).is_ok());
    let history = [put("x", 1, 0, 10), get("x", None, 11, 20)];
    assert!(!verdict(&history).is_ok());
}

#[test]
fn a_stale_read_after_a_newer_put_returned_is_rejected() {
    let history = [put("x", 1, 0, 10), put("x", 2, 20, 30), get("x", Some(1), 40, 50)];
    let violation = violation(&history);
    assert_eq!(violation.partition, vec![0, 1, 2]);
    assert_eq!(violation.longest_prefix, vec![0, 1]);
    assert_eq!(violation.blocked, 2);
    let text = violation.to_string();
    assert!(text.contains("prefix found has 2 operation(s)"), "{text}");
    assert!(text.contains("leaving state {\"x\": 2}"), "{text}");
    assert!(
        text.contains(
            "#2 client 1: Get { key: \"x\" } -> Value(Some(1)), called at 40, returned at 50"
        ),
        "{text}"
    );
}

#[test]
fn two_cas_from_the_same_value_cannot_both_succeed() {
    let history = [
        put("x", 0, 0, 10),
        cas("x", Some(0), 1, true, 20, 40),
        cas("x", Some(0), 2, true, 25, 35),
    ];
    assert!(!verdict(&history).is_ok());
    let history = [
        put("x", 0, 0, 10),
        cas("x", Some(0), 1, true, 20, 40),
        cas("x", Some(0), 2, false, 25, 35),
    ];
    assert!(verdict(&history).is_ok());
    let history = [
        put("x", 0, 0, 10),
        cas("x", Some(0), 1, false, 20, 40),
        cas("x", Some(0), 2, true, 25, 35),
    ];
    assert!(verdict(&history).is_ok());
}

#[test]
fn an_unknown_put_may_or_may_not_have_taken_effect() {
    for seen in [Some(1), Some(2)] {
        let history = [
            put("x", 1, 0, 10),
            unknown_put("x", 2, 20),
            get("x", seen, 30, 40),
            get("x", seen, 50, 60),
        ];
        assert!(verdict(&history).is_ok(), "{seen:?}: {}", verdict(&history));
    }
    // It may take effect long after its call, between two later reads.
    let history = [
        put("x", 1, 0, 10),
        unknown_put("x", 2, 20),
        get("x", Some(1), 30, 40),
        get("x", Some(2), 50, 60),
    ];
    assert!(verdict(&history).is_ok());
}

#[test]
fn an_unknown_put_once_seen_stays_seen() {
    let history = [
        put("x", 1, 0, 10),
        unknown_put("x", 2, 20),
        get("x", Some(2), 30, 40),
        get("x", Some(1), 50, 60),
    ];
    let violation = violation(&history);
    assert_eq!(violation.blocked, 3);
    assert_eq!(violation.longest_prefix, vec![0, 1, 2]);
    assert!(violation.explanation.contains("-> unknown, called at 20"), "{violation}");
}

#[test]
fn an_unknown_put_cannot_take_effect_before_its_call() {
    let history = [put("x", 1, 0, 10), get("x", Some(2), 20, 30), unknown_put("x", 2, 40)];
    assert_eq!(violation(&history).blocked, 1);
}

#[test]
fn keys_are_checked_apart() {
    let history = [
        put("a", 1, 0, 10),
        put("b", 1, 5, 15),
        get("b", Some(1), 20, 30),
        get("a", Some(1), 25, 35),
        put("b", 2, 40, 50),
        get("b", Some(1), 60, 70),
    ];
    assert_eq!(Kv::default().partition(&history), vec![vec![0, 3], vec![1, 2, 4, 5]]);
    assert!(verdict(&history[..5]).is_ok());
    let violation = violation(&history);
    assert_eq!(violation.partition, vec![1, 2, 4, 5]);
    assert_eq!(violation.longest_prefix, vec![1, 2, 4]);
    assert_eq!(violation.blocked, 5);
}

#[test]
fn an_output_of_the_wrong_kind_is_never_accepted() {
    let history = [Operation::returned(
        0,
        KvInput::Put { key: "x", value: 1 },
        0,
        1,
        KvOutput::Swapped(true),
    )];
    assert!(!verdict(&history).is_ok());
}

#[test]
fn a_search_past_its_budget_is_unknown() {
    let history = [put("x", 1, 0, 10), put("x", 2, 20, 30), get("x", Some(2), 40, 50)];
    match check(&Kv::default(), &history, Budget::default().max_steps(2)) {
        Verdict::Unknown(why) => {
            assert!(why.contains("part 0 (3 operations)"), "{why}");
            assert!(why.ends_with("took too many steps"), "{why}");
        }
        other => panic!("expected unknown, got {other}"),
    }
    let budget = Budget::default().timeout(Some(Duration::from_secs(60)));
    assert!(check(&Kv::default(), &history, budget).is_ok());
}

#[test]
fn a_search_past_its_deadline_is_unknown() {
    // The clock is read every 4096 steps; this history takes more.
    let history = history_of(&random_plan(1, 500, 1, 3));
    assert!(verdict(&history).is_ok());
    let budget = Budget::default().timeout(Some(Duration::ZERO));
    match check(&Kv::default(), &history, budget) {
        Verdict::Unknown(why) => assert!(why.ends_with("ran out of time"), "{why}"),
        other => panic!("expected unknown, got {other}"),
    }
}

#[test]
fn a_later_illegal_part_wins_over_an_earlier_unknown_one() {
    // 5 steps are enough for key "b" but not for key "a" (checked first).
    let history = [
        put("a", 1, 0, 10),
        put("a", 2, 0, 10),
        get("a", Some(2), 0, 10),
        get("a", Some(1), 20, 30),
        get("b", Some(1), 0, 10),
    ];
    let verdict = check(&Kv::default(), &history, Budget::default().max_steps(5));
    match verdict {
        Verdict::Illegal(violation) => assert_eq!(violation.blocked, 4),
        other => panic!("expected a violation, got {other}"),
    }
}

#[test]
#[should_panic(expected = "not linearizable")]
fn assert_linearizable_panics_with_the_explanation() {
    assert_linearizable(&Kv::default(), &[put("x", 1, 0, 10), get("x", None, 20, 30)]);
}

#[test]
#[should_panic(expected = "returned at 5, before its call at 10")]
fn an_operation_returning_before_its_call_is_refused() {
    let _ = verdict(&[put("x", 1, 10, 5)]);
}

#[test]
fn a_recorder_keeps_calls_returns_and_unknowns() {
    let recorder: Recorder<KvInput<&str, u64>, KvOutput<u64>> = Recorder::default();
    let first = recorder.call(7, KvInput::Put { key: "x", value: 1 });
    let _lost = recorder.call(8, KvInput::Put { key: "x", value: 2 });
    let refused = recorder.call(9, KvInput::Put { key: "x", value: 3 });
    recorder.returned(first, KvOutput::Written);
    recorder.discard(refused);
    let read = recorder.call(7, KvInput::Get { key: "x" });
    recorder.returned(read, KvOutput::Value(Some(2)));

    let history = recorder.history();
    assert_eq!(history.len(), 3);
    assert_eq!(history.iter().map(|op| op.client).collect::<Vec<_>>(), vec![7, 8, 7]);
    assert_eq!(history[0].output(), Some(&KvOutput::Written));
    assert_eq!(history[1].outcome, Outcome::Unknown);
    assert_eq!(history[1].completion(), None);
    let (call, at) = (history[2].call, history[2].completion().unwrap());
    assert!(history[0].call <= history[0].completion().unwrap() && call <= at);
    assert!(history[0].completion().unwrap() <= call);
    assert_linearizable(&Kv::default(), &history);
}

#[test]
fn a_recorded_run_on_a_locked_map_is_linearizable() {
    let recorder: Recorder<KvInput<&str, u64>, KvOutput<u64>> = Recorder::default();
    let map = Mutex::new(BTreeMap::new());
    let model = Kv::default();
    std::thread::scope(|scope| {
        for client in 0..4u64 {
            let (recorder, map, model) = (&recorder, &map, &model);
            scope.spawn(move || {
                for n in 0..200 {
                    let key = KEYS[usize::try_from(n % 2).unwrap()];
                    let input = match n % 3 {
                        0 => KvInput::Put { key, value: client * 1000 + n },
                        1 => KvInput::Get { key },
                        _ => KvInput::Cas { key, expected: Some(client * 1000 + n - 2), new: n },
                    };
                    let id = recorder.call(client, input.clone());
                    let mut map = map.lock().unwrap();
                    let output = match &input {
                        KvInput::Get { key } => KvOutput::Value(map.get(key).copied()),
                        KvInput::Cas { key, expected, .. } => {
                            KvOutput::Swapped(map.get(key) == expected.as_ref())
                        }
                        _ => KvOutput::Written,
                    };
                    *map = model.step(&map, &input, Some(&output)).unwrap();
                    drop(map);
                    recorder.returned(id, output);
                }
            });
        }
    });
    let history = recorder.history();
    assert_eq!(history.len(), 800);
    assert_linearizable(&model, &history);
}

/// One operation of a generated history.
#[derive(Clone, Debug)]
struct Planned {
    key: usize,
    /// 0: put, 1: get, 2: compare-and-swap, 3: delete.
    kind: u8,
    value: u64,
    /// How long before its linearization point it was called.
    before: Time,
    /// How long after its linearization point it returned.
    after: Time,
    /// `None`: it returned; `Some(took_effect)`: its outcome is unknown.
    unknown: Option<bool>,
}

const KEYS: [&str; 5] = ["a", "b", "c", "d", "e"];

/// Runs `plan` one operation at a time, every 10 ns, on a map, and
/// records each with an interval around its point: linearizable by
/// construction. Ends with a get of key "a" that returned.
fn history_of(plan: &[Planned]) -> Vec<Op> {
    let mut map = BTreeMap::new();
    let model = Kv::default();
    let mut history = Vec::new();
    let last = Planned { key: 0, kind: 1, value: 0, before: 5, after: 5, unknown: None };
    for (point, planned) in (1..).map(|n: Time| 1000 + 10 * n).zip(plan.iter().chain([&last])) {
        let key = KEYS[planned.key];
        let input = match planned.kind {
            0 => KvInput::Put { key, value: planned.value },
            1 => KvInput::Get { key },
            2 => KvInput::Cas { key, expected: Some(planned.value % 3), new: planned.value },
            _ => KvInput::Delete { key },
        };
        let output = match &input {
            KvInput::Put { .. } | KvInput::Delete { .. } => KvOutput::Written,
            KvInput::Get { key } => KvOutput::Value(map.get(key).copied()),
            KvInput::Cas { key, expected, .. } => {
                KvOutput::Swapped(map.get(key) == expected.as_ref())
            }
        };
        let client = u64::try_from(history.len() % 5).unwrap();
        let call = point - planned.before;
        if planned.unknown != Some(false) {
            map =
                model.step(&map, &input, Some(&output)).expect("the model accepts its own output");
        }
        history.push(match planned.unknown {
            None => Operation::returned(client, input, call, point + planned.after, output),
            Some(_) => Operation::unknown(client, input, call),
        });
    }
    history
}

fn planned() -> impl Strategy<Value = Planned> {
    (0..3usize, 0..4u8, 0..4u64, 0..60u64, 0..60u64, 0..12u8, any::<bool>()).prop_map(
        |(key, kind, value, before, after, unknown, took_effect)| Planned {
            key,
            kind,
            value,
            before,
            after,
            unknown: (unknown == 0).then_some(took_effect),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn histories_from_a_sequential_run_are_linearizable(
        plan in vec(planned(), 0..60),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut history = history_of(&plan);
        let verdict = verdict(&history);
        prop_assert!(verdict.is_ok(), "{}", verdict);

        let reads: Vec<usize> = (0..history.len())
            .filter(|&i| matches!(history[i].outcome, Outcome::Returned { output: KvOutput::Value(_), .. }))
            .collect();
        let read = reads[pick.index(reads.len())];
        let Outcome::Returned { output, .. } = &mut history[read].outcome else { unreachable!() };
        *output = KvOutput::Value(Some(999));
        prop_assert!(matches!(self::verdict(&history), Verdict::Illegal(_)));
    }
}

/// Whether `history` is linearizable, by trying every order.
fn brute_force(history: &[Op]) -> bool {
    fn search(history: &[Op], left: &mut Vec<usize>, state: &BTreeMap<&'static str, u64>) -> bool {
        if left.iter().all(|&i| history[i].completion().is_none()) {
            return true;
        }
        for n in 0..left.len() {
            let op = &history[left[n]];
            let called_after_a_return =
                left.iter().any(|&i| history[i].completion().is_some_and(|at| at < op.call));
            if called_after_a_return {
                continue;
            }
            if let Some(next) = Kv::default().step(state, &op.input, op.output()) {
                let taken = left.remove(n);
                let found = search(history, left, &next);
                left.insert(n, taken);
                if found {
                    return true;
                }
            }
        }
        false
    }
    search(history, &mut (0..history.len()).collect(), &BTreeMap::new())
}

/// Any small history on one key, with outputs from a small range.
fn small_history() -> impl Strategy<Value = Vec<Op>> {
    let op = (0..4u8, 0..3u64, 0..3u64, 0..40u64, 0..30u64, 0..4u8, any::<bool>());
    vec(op, 0..8).prop_map(|ops| {
        ops.into_iter()
            .enumerate()
            .map(|(client, (kind, value, seen, call, length, unknown, flag))| {
                let (input, output) = match kind {
                    0 => (KvInput::Put { key: "x", value }, KvOutput::Written),
                    1 => (KvInput::Get { key: "x" }, KvOutput::Value(flag.then_some(seen))),
                    2 => {
                        let input = KvInput::Cas { key: "x", expected: Some(seen), new: value };
                        (input, KvOutput::Swapped(flag))
                    }
                    _ => (KvInput::Delete { key: "x" }, KvOutput::Written),
                };
                let client = u64::try_from(client).unwrap();
                if unknown == 0 {
                    Operation::unknown(client, input, call)
                } else {
                    Operation::returned(client, input, call, call + length, output)
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn small_histories_get_the_same_answer_as_trying_every_order(history in small_history()) {
        let verdict = verdict(&history);
        prop_assert!(!matches!(verdict, Verdict::Unknown(_)));
        prop_assert_eq!(verdict.is_ok(), brute_force(&history), "{}", verdict);
    }
}

/// xorshift64*, for a reproducible large history.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound
    }
}

/// `len` operations on `keys` keys, `unknown_percent` of them with an
/// unknown outcome (half of those take effect).
fn random_plan(seed: u64, len: usize, keys: u64, unknown_percent: u64) -> Vec<Planned> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    (0..len)
        .map(|_| Planned {
            key: usize::try_from(rng.below(keys)).unwrap(),
            kind: u8::try_from(rng.below(4)).unwrap(),
            value: rng.below(6),
            before: rng.below(80),
            after: rng.below(80),
            unknown: (rng.below(100) < unknown_percent).then(|| rng.below(2) == 0),
        })
        .collect()
}

#[test]
fn thousands_of_operations_on_five_keys_are_checked() {
    let mut history = history_of(&random_plan(1, 4000, 5, 3));
    assert_eq!(Kv::default().partition(&history).len(), 5);
    assert_linearizable(&Kv::default(), &history);

    // A read halfway through now sees a value nobody wrote.
    let read = (history.len() / 2..history.len())
        .find(|&i| matches!(history[i].output(), Some(KvOutput::Value(_))))
        .expect("reads are a quarter of the operations");
    let Outcome::Returned { output, .. } = &mut history[read].outcome else { unreachable!() };
    *output = KvOutput::Value(Some(999));
    let violation = violation(&history);
    assert_eq!(violation.blocked, read);
    let key = history[read].input.key();
    assert!(violation.partition.iter().all(|&i| history[i].input.key() == key));
}
