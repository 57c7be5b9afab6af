//! Where a run's rows go while it runs: the model buffers a few thousand finished rows in the
//! [`super::Recorder`] and hands them to a [`RowSink`] in chunks, so memory stays flat in the
//! run's length whether the rows go to disk ([`crate::output::csv_export::CsvRows`]) or are
//! kept in memory for tests and `sim validate` ([`KeepRows`]).

use super::thread_states::{StateRow, TaskRow};
use super::{InvocationRecord, TimeseriesRow};

/// Receives finished rows in the order they happen (invocations in the order they finish).
pub trait RowSink {
    /// Invocation rows finished since the last call.
    fn invocations(&mut self, rows: &[InvocationRecord]);
    /// Time-series rows written since the last call.
    fn timeseries(&mut self, rows: &[TimeseriesRow]);
    /// Thread stretches recorded since the last call (only when the run records them).
    fn thread_states(&mut self, _rows: &[StateRow]) {}
    /// Task spans recorded since the last call (only when the run records them).
    fn tasks(&mut self, _rows: &[TaskRow]) {}
    /// Why the sink cannot take more rows (a write failed), if it cannot: the run stops.
    fn failure(&self) -> Option<String> {
        None
    }
}

/// Keeps every row in memory: for tests, `sim validate` and small runs.
#[derive(Debug, Default)]
pub struct KeepRows {
    /// Invocation rows, in finishing order.
    pub invocations: Vec<InvocationRecord>,
    /// Time-series rows.
    pub timeseries: Vec<TimeseriesRow>,
    /// Thread stretches, in the order they ended.
    pub thread_states: Vec<StateRow>,
    /// Task spans, in the order they ended.
    pub tasks: Vec<TaskRow>,
}

impl RowSink for KeepRows {
    fn invocations(&mut self, rows: &[InvocationRecord]) {
        self.invocations.extend_from_slice(rows);
    }
    fn timeseries(&mut self, rows: &[TimeseriesRow]) {
        self.timeseries.extend_from_slice(rows);
    }
    fn thread_states(&mut self, rows: &[StateRow]) {
        self.thread_states.extend_from_slice(rows);
    }
    fn tasks(&mut self, rows: &[TaskRow]) {
        self.tasks.extend_from_slice(rows);
    }
}

/// Drops every row: the summary alone.
#[derive(Debug, Default)]
pub struct NoRows;

impl RowSink for NoRows {
    fn invocations(&mut self, _: &[InvocationRecord]) {}
    fn timeseries(&mut self, _: &[TimeseriesRow]) {}
}
