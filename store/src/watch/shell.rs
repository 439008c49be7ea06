//! The async shell: the hub behind a mutex, tokio channels as sinks, and
//! the task that catches unsynced watchers up from the store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Interval, MissedTickBehavior};

use super::Hub;
use super::{Config, Error, Id, Request, Response, Result, StreamId};
use crate::mvcc;

/// The watch hub for async code: a handle on a [`Hub`] whose streams are
/// tokio channels, plus a background task that catches unsynced watchers up
/// from the store.
///
/// The handle owns the task: dropping the handle aborts it, and
/// [`shutdown`](WatchHub::shutdown) stops it and waits for it. When the
/// task ends, every stream's receiver sees the end of its channel.
///
/// Whoever commits writes MUST call [`notify`](WatchHub::notify) with each
/// commit's events, in revision order (see the [module docs](super)).
#[derive(Debug)]
pub struct WatchHub {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    hub: Mutex<Hub<mpsc::Sender<Response>>>,
    store: Arc<mvcc::Store>,
    config: Config,
    /// Wakes the task when watchers fall behind.
    wake: Notify,
    stop: AtomicBool,
}

impl Shared {
    fn hub(&self) -> MutexGuard<'_, Hub<mpsc::Sender<Response>>> {
        // The hub's updates do not panic halfway through.
        self.hub.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the hub and wakes the task if it left work to do.
    fn with_hub<T>(&self, f: impl FnOnce(&mut Hub<mpsc::Sender<Response>>) -> T) -> T {
        let mut hub = self.hub();
        let out = f(&mut hub);
        let wake = hub.has_unsynced();
        drop(hub);
        if wake {
            self.wake.notify_one();
        }
        out
    }
}

impl WatchHub {
    /// Starts a hub for `store` at its current revision, and its task on the
    /// current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] from [`Config::validate`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn new(store: Arc<mvcc::Store>, config: Config) -> Result<Self> {
        config.validate()?;
        let hub = Hub::new(store.current_revision(), config.clone());
        let shared = Arc::new(Shared {
            hub: Mutex::new(hub),
            store,
            config,
            wake: Notify::new(),
            stop: AtomicBool::new(false),
        });
        let task = tokio::spawn(Task::new(Arc::clone(&shared)).run());
        Ok(Self { shared, task: Some(task) })
    }

    /// Opens a stream: a channel of [`Config::channel_capacity`] responses
    /// shared by the watchers added to it with [`watch_on`](Self::watch_on).
    /// Dropping the receiver removes the stream and its watchers.
    pub fn open_stream(&self) -> (StreamId, mpsc::Receiver<Response>) {
        let (tx, rx) = mpsc::channel(self.shared.config.channel_capacity);
        (self.shared.hub().add_stream(tx), rx)
    }

    /// Adds a watcher to a stream; see [`Hub::watch`].
    ///
    /// # Errors
    ///
    /// As [`Hub::watch`].
    pub fn watch_on(&self, stream: StreamId, request: Request) -> Result<i64> {
        self.shared.with_hub(|hub| hub.watch(stream, request))
    }

    /// Watches on a stream of its own: returns the watcher's id and the
    /// receiver of its responses, the first of which confirms its creation.
    ///
    /// # Errors
    ///
    /// As [`Hub::watch`].
    pub fn watch(&self, request: Request) -> Result<(Id, mpsc::Receiver<Response>)> {
        let (stream, rx) = self.open_stream();
        let watch_id = self.shared.with_hub(|hub| {
            let watched = hub.watch(stream, request);
            if watched.is_err() {
                hub.remove_stream(stream);
            }
            watched
        })?;
        Ok((Id { stream, watch_id }, rx))
    }

    /// Cancels a watcher; see [`Hub::cancel`].
    pub fn cancel(&self, id: Id) -> bool {
        self.shared.with_hub(|hub| hub.cancel(id))
    }

    /// Removes a stream and its watchers.
    pub fn close_stream(&self, stream: StreamId) {
        self.shared.hub().remove_stream(stream);
    }

    /// etcd's `WatchProgressRequest`; see [`Hub::request_progress`].
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStream`].
    pub fn request_progress(&self, stream: StreamId) -> Result<()> {
        self.shared.with_hub(|hub| hub.request_progress(stream))
    }

    /// Delivers a committed revision's events; see [`Hub::notify`].
    pub fn notify(&self, revision: i64, events: Vec<mvcc::Event>) {
        self.shared.with_hub(|hub| hub.notify(revision, events));
    }

    /// The last revision notified.
    pub fn current_revision(&self) -> i64 {
        self.shared.hub().current_revision()
    }

    /// The number of watchers.
    pub fn len(&self) -> usize {
        self.shared.hub().len()
    }

    /// Whether there are no watchers.
    pub fn is_empty(&self) -> bool {
        self.shared.hub().is_empty()
    }

    /// Stops the background task and waits for it to end.
    ///
    /// # Errors
    ///
    /// [`Error::Shutdown`] if the task had already ended by panicking.
    pub async fn shutdown(mut self) -> Result<()> {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        match self.task.take() {
            Some(task) => task.await.map_err(|_| Error::Shutdown),
            None => Ok(()),
        }
    }
}

impl Drop for WatchHub {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Where the background task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing to catch up now: wait for a wake-up, the retry tick or the
    /// progress tick.
    Waiting,
    /// Catch up one window of history.
    Syncing,
    /// The handle asked it to end.
    Stopped,
}

/// The background task: catches unsynced watchers up and sends periodic
/// progress notifications.
struct Task {
    shared: Arc<Shared>,
    retry: Interval,
    progress: Interval,
}

impl Task {
    fn new(shared: Arc<Shared>) -> Self {
        let interval = |period| {
            let mut interval =
                tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        };
        let retry = interval(shared.config.sync_interval);
        let progress = interval(shared.config.progress_notify_interval);
        Self { shared, retry, progress }
    }

    async fn run(mut self) {
        let mut state = State::Syncing;
        while state != State::Stopped {
            state = self.step(state).await;
        }
    }

    async fn step(&mut self, state: State) -> State {
        if self.shared.stop.load(Ordering::Acquire) {
            return State::Stopped;
        }
        match state {
            State::Waiting => {
                tokio::select! {
                    () = self.shared.wake.notified() => State::Syncing,
                    _ = self.retry.tick() => State::Syncing,
                    _ = self.progress.tick() => {
                        self.shared.hub().progress_notify();
                        State::Waiting
                    }
                }
            }
            State::Syncing => self.sync().await,
            State::Stopped => State::Stopped,
        }
    }

    /// Catches up one window: chooses it under the lock, reads history on a
    /// blocking thread without the lock, applies it under the lock.
    async fn sync(&mut self) -> State {
        let batch = self.shared.config.sync_batch_revisions;
        let window = {
            let mut hub = self.shared.hub();
            match hub.sync_window(batch) {
                Some(window) => window,
                None => {
                    hub.flush_progress();
                    return State::Waiting;
                }
            }
        };
        let store = Arc::clone(&self.shared.store);
        let history = match tokio::task::spawn_blocking(move || window.read(&store)).await {
            Ok(history) => history,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        };
        let mut hub = self.shared.hub();
        match hub.apply_sync(window, history) {
            Ok(true) if hub.has_unsynced() => State::Syncing,
            // Nothing moved (consumers full) or nothing left: wait. A fatal
            // store error is retried on the next tick; the store's owner
            // sees it on its own path and stops the member.
            Ok(_) | Err(_) => State::Waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::mvcc::EventKind;

    const DEADLINE: Duration = Duration::from_secs(10);

    async fn next(rx: &mut mpsc::Receiver<Response>) -> Response {
        tokio::time::timeout(DEADLINE, rx.recv())
            .await
            .expect("a response before the deadline")
            .expect("the stream is open")
    }

    /// Commits one put and notifies the hub; returns the revision.
    fn put(store: &mvcc::Store, hub: &WatchHub, key: &str, value: &str) -> i64 {
        let mut w = store.write(store.applied_index() + 1).unwrap().unwrap();
        w.put(key, value, 0).unwrap();
        let (revision, events) = w.commit().unwrap();
        hub.notify(revision, events);
        revision
    }

    /// (key, value, revision) of each event.
    fn seen(response: &Response) -> Vec<(String, String, i64)> {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (response.events.iter())
            .inspect(|e| assert_eq!(e.kind(), EventKind::Put))
            .map(|e| (text(&e.kv().key), text(&e.kv().value), e.revision()))
            .collect()
    }

    fn ev(key: &str, value: &str, revision: i64) -> (String, String, i64) {
        (key.into(), value.into(), revision)
    }

    fn setup(config: Config) -> (Arc<mvcc::Store>, WatchHub) {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        let hub = WatchHub::new(Arc::clone(&store), config).unwrap();
        (store, hub)
    }

    #[tokio::test]
    async fn a_watcher_receives_live_events() {
        let (store, hub) = setup(Config::default());
        let (id, mut rx) = hub.watch(Request::key("a")).unwrap();
        assert_eq!(id.watch_id, 0);
        let created = next(&mut rx).await;
        assert!(created.created);
        assert_eq!(created.header_revision, 1);

        put(&store, &hub, "b", "skipped");
        put(&store, &hub, "a", "1");
        let response = next(&mut rx).await;
        assert_eq!(seen(&response), [ev("a", "1", 3)]);
        assert_eq!(response.header_revision, 3);
        assert!(hub.cancel(id));
        assert!(next(&mut rx).await.canceled);
        assert!(hub.is_empty());
        hub.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn a_watcher_from_an_old_revision_gets_history_then_live_events() {
        let (store, hub) = setup(Config::default());
        put(&store, &hub, "a", "1"); // 2
        put(&store, &hub, "a", "2"); // 3
        let (_, mut rx) = hub.watch(Request::prefix("a").start_revision(3)).unwrap();
        assert!(next(&mut rx).await.created);
        assert_eq!(seen(&next(&mut rx).await), [ev("a", "2", 3)]);
        put(&store, &hub, "ab", "3"); // 4
        assert_eq!(seen(&next(&mut rx).await), [ev("ab", "3", 4)]);
        hub.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn a_slow_consumer_is_caught_up_with_every_event_in_order() {
        let config = Config::default().channel_capacity(2).sync_interval(Duration::from_millis(5));
        let (store, hub) = setup(config);
        let (_, mut rx) = hub.watch(Request::key("k")).unwrap();
        let revisions: Vec<i64> = (0..20).map(|i| put(&store, &hub, "k", &i.to_string())).collect();
        assert!(next(&mut rx).await.created);
        let mut got = Vec::new();
        while got.len() < revisions.len() {
            got.extend(seen(&next(&mut rx).await).into_iter().map(|(_, _, rev)| rev));
        }
        assert_eq!(got, revisions, "no gap, no duplicate");
        put(&store, &hub, "k", "live");
        assert_eq!(seen(&next(&mut rx).await), [ev("k", "live", 22)]);
    }

    #[tokio::test]
    async fn dropping_the_handle_stops_the_task() {
        let (_store, hub) = setup(Config::default());
        let (_, mut rx) = hub.watch(Request::key("a")).unwrap();
        assert!(next(&mut rx).await.created);
        drop(hub);
        // The channel's sender lives in the hub, which the task shares: the
        // channel ends only once the task is gone.
        let end = tokio::time::timeout(DEADLINE, rx.recv()).await.expect("the task ends");
        assert_eq!(end, None);
    }

    #[tokio::test]
    async fn shutdown_waits_for_the_task_and_closes_streams() {
        let (_store, hub) = setup(Config::default());
        let (stream, mut rx) = hub.open_stream();
        hub.watch_on(stream, Request::prefix("")).unwrap();
        assert!(hub.watch_on(stream, Request::key("a").watch_id(0)).is_err());
        hub.shutdown().await.unwrap();
        assert!(next(&mut rx).await.created);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn invalid_configs_are_refused() {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        let err = WatchHub::new(store, Config::default().channel_capacity(0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid watch hub configuration: channel_capacity must be above 0"
        );
    }
}
