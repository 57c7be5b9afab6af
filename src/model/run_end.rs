//! When a run is over: no arrival remains to come and the fleet is idle.
//!
//! Periodic events (the time-series tick today; the scale controller's decisions later)
//! observe or steer the fleet but are not its work: each re-arms itself only while
//! [`World::run_is_over`] is false, so no periodic event can keep a finished run alive, and the
//! run's end time is that of its last model event. The last tick armed before the end still
//! fires, closing the interval that holds the last event.
//!
//! The queue cannot be searched cheaply, so the world counts what it holds: the requests to
//! come (open-loop arrivals and closed-loop clients' requests, at most one pending per source)
//! and the periodic events; every other pending event is work of an instance.

use super::event::Event;
use super::world::World;

impl World {
    /// True once no arrival remains to come and the fleet is idle.
    pub(super) fn run_is_over(&mut self) -> bool {
        self.requests_pending == 0 && self.fleet_idle() && self.nothing_waits_outside_instances()
    }

    /// True when nothing is scheduled for any instance: no request on its way to a process, no
    /// CPU burst, blocking call, awaited I/O, GIL hand-over or process start pending. A timer
    /// made stale by a later one still counts until it fires and is discarded (its instant can
    /// be the run's last event, as it always was).
    fn fleet_idle(&self) -> bool {
        debug_assert!(
            self.queue.len() >= self.requests_pending + self.periodic_pending,
            "the counts of pending requests and periodic events are out of step with the queue"
        );
        self.queue.len() == self.requests_pending + self.periodic_pending
    }

    /// Schedules a request to come (an `Arrival` or a `ClientRequest`) at `at`.
    pub(super) fn schedule_request(&mut self, at: u64, ev: Event) {
        debug_assert!(matches!(
            ev,
            Event::Arrival { .. } | Event::ClientRequest { .. }
        ));
        self.requests_pending += 1;
        self.push(at, ev);
    }

    /// Schedules a periodic event (one that observes or steers the fleet) at `at`.
    pub(super) fn schedule_periodic(&mut self, at: u64, ev: Event) {
        debug_assert!(matches!(ev, Event::Sample) || ev.is_fleet_periodic());
        self.periodic_pending += 1;
        self.push(at, ev);
    }
}
