//! A linearizability checker for recorded client histories (test-only).
//!
//! Fault-injection tests let clients run operations against a replicated
//! store, write down when each one was called, when (and with what) it
//! returned, and then ask: is there one order of all these operations,
//! each taking effect at a single instant between its call and its
//! return, in which a sequential [`Model`] of the store gives every output
//! that was observed? If so the history is linearizable.
//!
//! How a test uses it:
//!
//! 1. Record every operation with a [`Recorder`]: [`Recorder::call`]
//!    MUST be made before the request is sent and [`Recorder::returned`]
//!    after its answer arrived, so that the recorded interval contains the
//!    real one. An operation that timed out or failed in a way that may
//!    still have taken effect MUST be left without a return: it is
//!    [`Outcome::Unknown`]. An operation known not to have taken effect
//!    (refused before it was proposed) may be [`Recorder::discard`]ed.
//! 2. Check the [`Recorder::history`] with [`check`] (or
//!    [`assert_linearizable`]) and the key-value [`KvModel`].
//!
//! The search is Wing and Gong's, with Lowe's improvements (as in
//! Porcupine): the calls and returns, in time order, form a linked list;
//! the search linearizes the first call it can whose model step accepts
//! the observed output, lifts that operation out of the list and starts
//! over, and backtracks when it meets a return whose operation is still
//! not linearized. A configuration (linearized operations, model state)
//! found to lead nowhere is remembered and not explored again, which is
//! what keeps the search practical, and [`Model::partition`] splits the
//! history (by key for [`KvModel`]) into parts that are checked
//! independently.
//!
//! An operation with an unknown outcome never returns, so nothing forces
//! it in, and the search ends once every operation that returned is
//! linearized: unknown ones may have taken effect (anywhere after their
//! call) or not at all. Since each of them could go anywhere, they are
//! what makes a search expensive; the search places them only where they
//! change something (see `Search`). Proving a history illegal still means
//! trying everything, and with many unknown operations on one key that
//! can run out of [`Budget`]: the answer is then [`Verdict::Unknown`].
//! Checking a linearizable history is quick.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Debug};
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A point in time: nanoseconds since an origin shared by the whole
/// history ([`Recorder`] uses the instant it was created).
pub(crate) type Time = u64;

/// One client operation of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Operation<I, O> {
    /// The client that issued it; only used in reports.
    pub(crate) client: u64,
    /// What the client asked for.
    pub(crate) input: I,
    /// When it was called (no later than the request left the client).
    pub(crate) call: Time,
    /// How it ended.
    pub(crate) outcome: Outcome<O>,
}

/// How an [`Operation`] ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome<O> {
    /// It returned `output` at `at` (no earlier than the answer arrived).
    Returned {
        /// When it returned.
        at: Time,
        /// What it returned.
        output: O,
    },
    /// It never returned, timed out, or failed in a way that does not say
    /// whether it took effect: it took effect once, at some time after its
    /// call, or never. Its output is not known.
    Unknown,
}

impl<I, O> Operation<I, O> {
    /// An operation called at `call` that returned `output` at `at`.
    pub(crate) fn returned(client: u64, input: I, call: Time, at: Time, output: O) -> Self {
        Self { client, input, call, outcome: Outcome::Returned { at, output } }
    }

    /// An operation called at `call` whose outcome is unknown.
    pub(crate) fn unknown(client: u64, input: I, call: Time) -> Self {
        Self { client, input, call, outcome: Outcome::Unknown }
    }

    /// When it returned, if it did.
    pub(crate) fn completion(&self) -> Option<Time> {
        match self.outcome {
            Outcome::Returned { at, .. } => Some(at),
            Outcome::Unknown => None,
        }
    }

    /// What it returned, if it did.
    pub(crate) fn output(&self) -> Option<&O> {
        match &self.outcome {
            Outcome::Returned { output, .. } => Some(output),
            Outcome::Unknown => None,
        }
    }
}

/// The sequential specification a history is checked against.
pub(crate) trait Model {
    /// The state of the system; compared and hashed to skip states the
    /// search has already explored.
    type State: Clone + Eq + Hash + Debug;
    /// An operation's input; unknown operations with equal inputs are
    /// interchangeable.
    type Input: Debug + PartialEq;
    /// An operation's output.
    type Output: Debug;

    /// The state before any operation.
    fn init(&self) -> Self::State;

    /// Applies `input` to `state`: the next state if the operation may
    /// produce `output` there, `None` if it cannot. `output` is `None` for
    /// an operation whose outcome is unknown, which accepts any output.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State>;

    /// Splits `history` into parts that are linearizable independently
    /// (for example one per key), as lists of indices into `history`.
    /// An operation MUST NOT be in two parts; one in no part is not
    /// checked, which suits operations that cannot matter (a read whose
    /// outcome is unknown). The default is one part holding everything.
    fn partition(&self, history: &[Operation<Self::Input, Self::Output>]) -> Vec<Vec<usize>> {
        vec![(0..history.len()).collect()]
    }
}

/// How much work [`check`] may do before it answers [`Verdict::Unknown`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    max_steps: u64,
    timeout: Option<Duration>,
}

impl Default for Budget {
    /// Five million search steps per part (a few seconds), no time limit, so
    /// that the answer does not depend on the machine's speed.
    fn default() -> Self {
        Self { max_steps: 5_000_000, timeout: None }
    }
}

impl Budget {
    /// The most search steps for each part of the history
    /// ([`Model::partition`]) before giving up on it; the other parts are
    /// still checked, since one of them may prove the history illegal.
    #[must_use]
    pub(crate) fn max_steps(mut self, max_steps: u64) -> Self {
        self.max_steps = max_steps;
        self
    }

    /// The longest the whole check may run before giving up, if limited.
    #[must_use]
    pub(crate) fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What [`check`] found.
#[derive(Clone, Debug)]
pub(crate) enum Verdict {
    /// The history is linearizable.
    Ok,
    /// The history is not linearizable.
    Illegal(Violation),
    /// The budget ran out before the search finished; the message says
    /// where.
    Unknown(String),
}

impl Verdict {
    /// Whether the history was found linearizable.
    pub(crate) fn is_ok(&self) -> bool {
        matches!(self, Self::Ok)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("linearizable"),
            Self::Illegal(violation) => f.write_str(&violation.explanation),
            Self::Unknown(why) => write!(f, "linearizability unknown: {why}"),
        }
    }
}

/// Why a history is not linearizable. Operations are named by their index
/// in the checked history.
#[derive(Clone, Debug)]
pub(crate) struct Violation {
    /// The part of the history ([`Model::partition`]) that failed.
    pub(crate) partition: Vec<usize>,
    /// The longest linearization of part of it the search found, in
    /// linearization order.
    pub(crate) longest_prefix: Vec<usize>,
    /// An operation that had returned but could not be placed after that
    /// prefix.
    pub(crate) blocked: usize,
    /// The same, for a person, with the operations and the model state.
    pub(crate) explanation: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explanation)
    }
}

/// Checks whether `history` is linearizable with respect to `model`,
/// each part from [`Model::partition`] on its own, within `budget`.
///
/// Intervals that touch (one operation returning at the very time another
/// is called) count as overlapping.
///
/// # Panics
///
/// If an operation returned before it was called.
pub(crate) fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: Budget,
) -> Verdict {
    for (index, op) in history.iter().enumerate() {
        if let Some(at) = op.completion() {
            assert!(
                at >= op.call,
                "operation #{index} returned at {at}, before its call at {}",
                op.call
            );
        }
    }
    let mut work = Work {
        steps: 0,
        max_steps: budget.max_steps,
        deadline: budget.timeout.map(|timeout| Instant::now() + timeout),
        out_of_time: false,
    };
    let mut gave_up = None;
    for (number, part) in model.partition(history).into_iter().enumerate() {
        work.steps = 0;
        match Search::new(model, history, &part).run(&part, &mut work) {
            Found::Linearization => {}
            Found::Stuck { prefix, blocked, state } => {
                let explanation = explain(history, &prefix, blocked, &state);
                return Verdict::Illegal(Violation {
                    partition: part,
                    longest_prefix: prefix,
                    blocked,
                    explanation,
                });
            }
            Found::OutOfBudget => {
                // A later part may still prove the history illegal.
                gave_up.get_or_insert_with(|| {
                    let why =
                        if work.out_of_time { "ran out of time" } else { "took too many steps" };
                    format!(
                        "gave up on part {number} ({} operations) after {} search steps: {why}",
                        part.len(),
                        work.steps
                    )
                });
            }
        }
    }
    gave_up.map_or(Verdict::Ok, Verdict::Unknown)
}

/// Checks `history` with the default [`Budget`].
///
/// # Panics
///
/// Unless it is found linearizable, with the explanation.
pub(crate) fn assert_linearizable<M: Model>(model: &M, history: &[Operation<M::Input, M::Output>]) {
    let verdict = check(model, history, Budget::default());
    assert!(verdict.is_ok(), "{verdict}");
}

/// The budget being spent.
struct Work {
    /// Steps spent on the current part.
    steps: u64,
    max_steps: u64,
    deadline: Option<Instant>,
    out_of_time: bool,
}

impl Work {
    /// Spends one step; `false` once the budget is gone.
    fn spend(&mut self) -> bool {
        self.steps += 1;
        // Reading the clock on every step would cost more than the step.
        if self.steps.is_multiple_of(4096)
            && self.deadline.is_some_and(|deadline| Instant::now() >= deadline)
        {
            self.out_of_time = true;
        }
        !self.out_of_time && self.steps <= self.max_steps
    }
}

/// The answer for one part of a history.
enum Found<S> {
    Linearization,
    /// No linearization: `prefix` (history indices) is the longest
    /// linearization found, leaving `state`, and `blocked` returned
    /// without being placeable after it.
    Stuck {
        prefix: Vec<usize>,
        blocked: usize,
        state: S,
    },
    OutOfBudget,
}

/// The calls and returns of one part as two doubly linked lists that
/// operations are lifted out of when they are linearized and put back
/// into when the search backtracks: one of the calls and returns of the
/// operations that returned, and one of the calls of the unknown ones
/// (kept apart so that scanning for what may go next does not walk over
/// every unknown operation still pending, again and again). Nodes are
/// numbered in time order: node 0 is the first list's head, then come the
/// events, then the first list's tail and the second list's head and
/// tail.
struct Events {
    /// The operation (index into the part) of each node.
    op: Vec<usize>,
    /// For a call, the node of its return (none if its outcome is
    /// unknown); for a return, `None` too, told apart by `is_call`.
    return_node: Vec<Option<usize>>,
    is_call: Vec<bool>,
    next: Vec<usize>,
    prev: Vec<usize>,
}

const HEAD: usize = 0;

impl Events {
    fn new<I, O>(ops: &[&Operation<I, O>]) -> Self {
        // (time, returns after calls at the same time, operation)
        let mut events: Vec<(Time, bool, usize)> = Vec::with_capacity(2 * ops.len());
        for (index, op) in ops.iter().enumerate() {
            events.push((op.call, false, index));
            if let Some(at) = op.completion() {
                events.push((at, true, index));
            }
        }
        events.sort_unstable();
        let nodes = events.len() + 4;
        let mut list = Self {
            op: vec![usize::MAX; nodes],
            return_node: vec![None; nodes],
            is_call: vec![false; nodes],
            next: vec![usize::MAX; nodes],
            prev: vec![usize::MAX; nodes],
        };
        let mut call_node = vec![0; ops.len()];
        let (mut last_returned, mut last_unknown) = (HEAD, list.unknown_head());
        for (node, &(_, is_return, op)) in (1..).zip(&events) {
            list.op[node] = op;
            list.is_call[node] = !is_return;
            let last =
                if ops[op].completion().is_some() { &mut last_returned } else { &mut last_unknown };
            list.next[*last] = node;
            list.prev[node] = *last;
            *last = node;
            if is_return {
                list.return_node[call_node[op]] = Some(node);
            } else {
                call_node[op] = node;
            }
        }
        for (last, tail) in [(last_returned, nodes - 3), (last_unknown, nodes - 1)] {
            list.next[last] = tail;
            list.prev[tail] = last;
        }
        list
    }

    /// The head of the list of the calls of unknown operations; its tail
    /// is the last node, numbered after every event.
    fn unknown_head(&self) -> usize {
        self.next.len() - 2
    }

    fn unlink(&mut self, node: usize) {
        let (prev, next) = (self.prev[node], self.next[node]);
        self.next[prev] = next;
        self.prev[next] = prev;
    }

    /// Undoes `unlink(node)`; unlinks MUST be undone in reverse order.
    fn relink(&mut self, node: usize) {
        let (prev, next) = (self.prev[node], self.next[node]);
        self.next[prev] = node;
        self.prev[next] = node;
    }

    /// Takes the operation of `call` (a call node) out of its list.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        if let Some(ret) = self.return_node[call] {
            self.unlink(ret);
        }
    }

    /// Undoes `lift(call)`.
    fn unlift(&mut self, call: usize) {
        if let Some(ret) = self.return_node[call] {
            self.relink(ret);
        }
        self.relink(call);
    }
}

/// A set of operations (indices into a part).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, index: usize) {
        self.0[index / 64] |= 1 << (index % 64);
    }

    fn clear(&mut self, index: usize) {
        self.0[index / 64] &= !(1 << (index % 64));
    }

    fn contains(&self, index: usize) -> bool {
        self.0[index / 64] & (1 << (index % 64)) != 0
    }

    fn is_subset(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).all(|(mine, theirs)| mine & !theirs == 0)
    }
}

/// What the search learnt: configurations from which there is no way on.
/// A configuration is the set of linearized operations that returned, the
/// set of linearized ones whose outcome is unknown, and the model state.
/// One that failed also rules out every configuration with the same
/// returned operations and state and more unknown ones: an unknown
/// operation never has to be placed, so having placed it only takes
/// choices away.
struct Failed<S>(HashMap<Bits, HashMap<S, Vec<Bits>>>);

impl<S: Eq + Hash> Failed<S> {
    fn covers(&self, returned: &Bits, unknown: &Bits, state: &S) -> bool {
        self.0
            .get(returned)
            .and_then(|by_state| by_state.get(state))
            .is_some_and(|tried| tried.iter().any(|failed| failed.is_subset(unknown)))
    }

    fn insert(&mut self, returned: &Bits, unknown: &Bits, state: S) {
        let by_state = self.0.entry(returned.clone()).or_default();
        by_state.entry(state).or_default().push(unknown.clone());
    }
}

/// One linearized operation on the search's stack.
struct Frame<S> {
    /// Its call node.
    call: usize,
    /// The state before it.
    before: S,
    /// Whether a way on from the configuration after it was skipped
    /// because a shorter run of unknown operations gets to the same place
    /// (see [`Search::shortcut_exists`]): then its failure is not recorded
    /// in [`Failed`], since that shorter run has not failed yet.
    incomplete: bool,
}

/// The search for a linearization of one part of a history.
///
/// Steps from one configuration: the calls before the first return left
/// in the list are the operations that may take effect next (any other
/// would come after an operation that returned before it was called).
/// Those that returned are tried first and the unknown ones second, so
/// that configurations without unknown operations fail first and rule out
/// (see [`Failed`]) the same ones with them. Unknown operations are placed
/// only where they matter: not where they change nothing, and not at the
/// end of a run of unknown operations that gets to the same state with
/// one of them left out. And of unknown operations with equal inputs only
/// the first called that is not placed yet is tried, as they are
/// interchangeable. Otherwise every subset of the unknown operations would
/// be tried, making the search exponential in their number.
struct Search<'a, M: Model> {
    model: &'a M,
    /// The part's operations; the search names them by index in it.
    ops: Vec<&'a Operation<M::Input, M::Output>>,
    is_unknown: Vec<bool>,
    /// For an unknown operation, the one with the same input called last
    /// before it, if any.
    twin: Vec<Option<usize>>,
    events: Events,
    state: M::State,
    /// The linearized operations: [those that returned, the unknown ones].
    linearized: [Bits; 2],
    /// How many operations that returned are linearized, and of how many.
    placed: usize,
    to_place: usize,
    stack: Vec<Frame<M::State>>,
    failed: Failed<M::State>,
}

impl<'a, M: Model> Search<'a, M> {
    fn new(model: &'a M, history: &'a [Operation<M::Input, M::Output>], part: &[usize]) -> Self {
        let ops: Vec<_> = part.iter().map(|&index| &history[index]).collect();
        let is_unknown: Vec<bool> = ops.iter().map(|op| op.completion().is_none()).collect();
        let events = Events::new(&ops);
        let mut twin = vec![None; ops.len()];
        // The last operation of each input, among the unknown ones.
        let mut last_of_input: Vec<usize> = Vec::new();
        let mut node = events.next[events.unknown_head()];
        while node < events.unknown_head() {
            let op = events.op[node];
            match last_of_input.iter_mut().find(|last| ops[**last].input == ops[op].input) {
                Some(last) => twin[op] = Some(std::mem::replace(last, op)),
                None => last_of_input.push(op),
            }
            node = events.next[node];
        }
        Self {
            model,
            twin,
            events,
            to_place: is_unknown.iter().filter(|&&unknown| !unknown).count(),
            placed: 0,
            state: model.init(),
            linearized: [Bits::new(ops.len()), Bits::new(ops.len())],
            stack: Vec::new(),
            failed: Failed(HashMap::new()),
            ops,
            is_unknown,
        }
    }

    /// Runs the search; `part` maps the operations back to the history.
    fn run(mut self, part: &[usize], work: &mut Work) -> Found<M::State> {
        let mut longest: Option<(Vec<usize>, usize, M::State)> = None;
        let mut node = self.events.next[HEAD];
        // In the second pass, over the unknown operations: the first
        // return left, before which they must have been called to go next.
        let mut first_return = None;
        // Once every operation that returned is in, the unknown ones left
        // may never have happened.
        while self.placed < self.to_place {
            if !work.spend() {
                return Found::OutOfBudget;
            }
            match first_return {
                None if self.events.is_call[node] => {
                    node = if self.place(node) {
                        self.events.next[HEAD]
                    } else {
                        self.events.next[node]
                    };
                }
                None => {
                    first_return = Some(node);
                    node = self.events.next[self.events.unknown_head()];
                }
                Some(first_return_node) if node < first_return_node => {
                    if self.place(node) {
                        node = self.events.next[HEAD];
                        first_return = None;
                    } else {
                        node = self.events.next[node];
                    }
                }
                Some(first_return_node) => {
                    // Its operation is still not linearized, whatever
                    // comes next: undo the last choice and try the one
                    // after it.
                    if longest.as_ref().is_none_or(|(prefix, ..)| self.stack.len() > prefix.len()) {
                        let prefix =
                            self.stack.iter().map(|frame| part[self.events.op[frame.call]]);
                        let blocked = part[self.events.op[first_return_node]];
                        longest = Some((prefix.collect(), blocked, self.state.clone()));
                    }
                    let Some(call) = self.undo() else {
                        let (prefix, blocked, state) = longest.expect("recorded just above");
                        return Found::Stuck { prefix, blocked, state };
                    };
                    if !self.is_unknown[self.events.op[call]] {
                        // Back to the first pass, where that call was.
                        first_return = None;
                    }
                    node = self.events.next[call];
                }
            }
        }
        Found::Linearization
    }

    /// Linearizes the operation of call node `node` next, if it may
    /// produce its output here and that leads somewhere new.
    fn place(&mut self, node: usize) -> bool {
        let op = self.events.op[node];
        let unknown = self.is_unknown[op];
        if unknown && self.twin[op].is_some_and(|twin| !self.linearized[1].contains(twin)) {
            // The twin is the one to place first.
            return false;
        }
        let Some(next) = self.model.step(&self.state, &self.ops[op].input, self.ops[op].output())
        else {
            return false;
        };
        if unknown && (next == self.state || self.shortcut_exists(op, &next)) {
            return false;
        }
        let set = usize::from(unknown);
        self.linearized[set].set(op);
        if self.failed.covers(&self.linearized[0], &self.linearized[1], &next) {
            self.linearized[set].clear(op);
            return false;
        }
        let before = std::mem::replace(&mut self.state, next);
        self.stack.push(Frame { call: node, before, incomplete: false });
        self.placed += usize::from(!unknown);
        self.events.lift(node);
        true
    }

    /// Whether unknown operation `op`, giving `next`, would end a run of
    /// unknown operations (those linearized since the last one that
    /// returned) that gets to the same state with one of the others left
    /// out. That shorter run is tried from the run's start as well, and
    /// reaches the same configuration with fewer unknown operations in it.
    /// If so, the configuration on top is marked incomplete.
    fn shortcut_exists(&mut self, op: usize, next: &M::State) -> bool {
        let start = self
            .stack
            .iter()
            .rposition(|frame| !self.is_unknown[self.events.op[frame.call]])
            .map_or(0, |last_returned| last_returned + 1);
        let run = &self.stack[start..];
        let shortcut = (0..run.len()).any(|left_out| {
            let mut state = run[0].before.clone();
            for (index, frame) in run.iter().enumerate() {
                if index != left_out {
                    let input = &self.ops[self.events.op[frame.call]].input;
                    match self.model.step(&state, input, None) {
                        Some(after) => state = after,
                        None => return false,
                    }
                }
            }
            self.model.step(&state, &self.ops[op].input, None).is_some_and(|after| after == *next)
        });
        if shortcut {
            self.stack.last_mut().expect("a run has a last operation").incomplete = true;
        }
        shortcut
    }

    /// Undoes the last linearization, recording the configuration it led
    /// to as failed; returns its call node, `None` if there was none.
    fn undo(&mut self) -> Option<usize> {
        let frame = self.stack.pop()?;
        let after = std::mem::replace(&mut self.state, frame.before);
        let op = self.events.op[frame.call];
        let unknown = self.is_unknown[op];
        if !frame.incomplete {
            self.failed.insert(&self.linearized[0], &self.linearized[1], after);
        } else if unknown
            && let Some(parent) = self.stack.last_mut()
            && self.is_unknown[self.events.op[parent.call]]
        {
            // Only in a run of unknown operations can the shortcut still
            // be ahead; from the run's start it has been tried.
            parent.incomplete = true;
        }
        self.linearized[usize::from(unknown)].clear(op);
        self.placed -= usize::from(!unknown);
        self.events.unlift(frame.call);
        Some(frame.call)
    }
}

/// A person's account of a failed search.
fn explain<I: Debug, O: Debug, S: Debug>(
    history: &[Operation<I, O>],
    prefix: &[usize],
    blocked: usize,
    state: &S,
) -> String {
    const SHOWN: usize = 8;
    let mut text = format!(
        "not linearizable: the longest linearizable prefix found has {} operation(s)",
        prefix.len()
    );
    if prefix.len() > SHOWN {
        text += &format!(", the last {SHOWN} of them");
    }
    text.push(':');
    for &index in &prefix[prefix.len().saturating_sub(SHOWN)..] {
        text += &format!("\n  {}", describe(history, index));
    }
    text += &format!(
        "\nleaving state {state:?}; after it, this operation cannot take effect before it returned:\n  {}",
        describe(history, blocked)
    );
    text
}

/// One line about operation `index` of `history`.
fn describe<I: Debug, O: Debug>(history: &[Operation<I, O>], index: usize) -> String {
    let op = &history[index];
    match &op.outcome {
        Outcome::Returned { at, output } => format!(
            "#{index} client {}: {:?} -> {output:?}, called at {}, returned at {at}",
            op.client, op.input, op.call
        ),
        Outcome::Unknown => format!(
            "#{index} client {}: {:?} -> unknown, called at {}",
            op.client, op.input, op.call
        ),
    }
}

/// What a [`KvModel`] operation asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KvInput<K, V> {
    /// Sets `key` to `value`; returns [`KvOutput::Written`].
    Put {
        /// The key written.
        key: K,
        /// Its new value.
        value: V,
    },
    /// Reads `key`; returns [`KvOutput::Value`].
    Get {
        /// The key read.
        key: K,
    },
    /// Sets `key` to `new` if its value is `expected` (`None`: if it is
    /// absent); returns [`KvOutput::Swapped`].
    Cas {
        /// The key compared and written.
        key: K,
        /// The value it must have, `None` for absent.
        expected: Option<V>,
        /// Its new value if the comparison holds.
        new: V,
    },
    /// Removes `key`; returns [`KvOutput::Written`].
    Delete {
        /// The key removed.
        key: K,
    },
}

impl<K, V> KvInput<K, V> {
    /// The key the operation is about.
    pub(crate) fn key(&self) -> &K {
        match self {
            Self::Put { key, .. }
            | Self::Get { key }
            | Self::Cas { key, .. }
            | Self::Delete { key } => key,
        }
    }
}

/// What a [`KvModel`] operation returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KvOutput<V> {
    /// A put or delete was done.
    Written,
    /// A get saw this value (`None`: the key was absent).
    Value(Option<V>),
    /// Whether a compare-and-swap wrote.
    Swapped(bool),
}

/// A map from keys to values, with put, get, compare-and-swap and delete,
/// partitioned by key (gets with an unknown outcome are in no part: they
/// cannot matter). An output of the wrong kind for its input (a get
/// answered with `Swapped`) is never accepted.
#[derive(Debug)]
pub(crate) struct KvModel<K, V>(PhantomData<fn() -> (K, V)>);

impl<K, V> Default for KvModel<K, V> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<K, V> Model for KvModel<K, V>
where
    K: Clone + Ord + Hash + Debug,
    V: Clone + Eq + Hash + Debug,
{
    type State = BTreeMap<K, V>;
    type Input = KvInput<K, V>;
    type Output = KvOutput<V>;

    fn init(&self) -> Self::State {
        BTreeMap::new()
    }

    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: Option<&Self::Output>,
    ) -> Option<Self::State> {
        let mut next = state.clone();
        match (input, output) {
            (KvInput::Put { key, value }, None | Some(KvOutput::Written)) => {
                next.insert(key.clone(), value.clone());
            }
            (KvInput::Delete { key }, None | Some(KvOutput::Written)) => {
                next.remove(key);
            }
            (KvInput::Get { .. }, None) => {}
            (KvInput::Get { key }, Some(KvOutput::Value(seen))) => {
                if state.get(key) != seen.as_ref() {
                    return None;
                }
            }
            (KvInput::Cas { key, expected, new }, None | Some(KvOutput::Swapped(_))) => {
                let swaps = state.get(key) == expected.as_ref();
                if output.is_some_and(|output| *output != KvOutput::Swapped(swaps)) {
                    return None;
                }
                if swaps {
                    next.insert(key.clone(), new.clone());
                }
            }
            _ => return None,
        }
        Some(next)
    }

    fn partition(&self, history: &[Operation<Self::Input, Self::Output>]) -> Vec<Vec<usize>> {
        let mut by_key: BTreeMap<&K, Vec<usize>> = BTreeMap::new();
        for (index, op) in history.iter().enumerate() {
            if matches!((&op.input, &op.outcome), (KvInput::Get { .. }, Outcome::Unknown)) {
                // It changed nothing and nobody saw its output.
                continue;
            }
            by_key.entry(op.input.key()).or_default().push(index);
        }
        by_key.into_values().collect()
    }
}

/// Names an operation being recorded by a [`Recorder`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OpId(usize);

/// Records a history from concurrent clients (share it in an `Arc`).
/// Times are nanoseconds since the recorder was created.
#[derive(Debug)]
pub(crate) struct Recorder<I, O> {
    start: Instant,
    /// `None` for a discarded operation.
    ops: Mutex<Vec<Option<Operation<I, O>>>>,
}

impl<I, O> Default for Recorder<I, O> {
    fn default() -> Self {
        Self { start: Instant::now(), ops: Mutex::new(Vec::new()) }
    }
}

impl<I, O> Recorder<I, O> {
    /// The current time on the history's clock.
    pub(crate) fn now(&self) -> Time {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(Time::MAX)
    }

    /// Records that `client` calls `input` now, with an unknown outcome
    /// until [`returned`](Self::returned). MUST be called before the
    /// request is sent.
    pub(crate) fn call(&self, client: u64, input: I) -> OpId {
        let call = self.now();
        let mut ops = self.ops.lock().unwrap_or_else(PoisonError::into_inner);
        ops.push(Some(Operation::unknown(client, input, call)));
        OpId(ops.len() - 1)
    }

    /// Records that operation `id` returned `output` now. MUST be called
    /// after the answer arrived.
    ///
    /// # Panics
    ///
    /// If `id` already returned or was discarded.
    pub(crate) fn returned(&self, id: OpId, output: O) {
        let at = self.now();
        let mut ops = self.ops.lock().unwrap_or_else(PoisonError::into_inner);
        let op = ops[id.0].as_mut().expect("the operation was discarded");
        assert!(matches!(op.outcome, Outcome::Unknown), "operation {id:?} returned twice");
        op.outcome = Outcome::Returned { at, output };
    }

    /// Drops operation `id` from the history: it certainly did not take
    /// effect (it was refused before it could be applied).
    pub(crate) fn discard(&self, id: OpId) {
        self.ops.lock().unwrap_or_else(PoisonError::into_inner)[id.0] = None;
    }

    /// The history so far, in call order, without the discarded operations.
    pub(crate) fn history(&self) -> Vec<Operation<I, O>>
    where
        I: Clone,
        O: Clone,
    {
        let ops = self.ops.lock().unwrap_or_else(PoisonError::into_inner);
        ops.iter().flatten().cloned().collect()
    }
}

#[cfg(test)]
mod tests;
