//! Errors a user can act on: each names the input (file, line:column, field path), what is
//! wrong, the allowed values and how to fix it.
//!
//! Input problems exit with code 2, failures while running or writing with code 1
//! ([`SimError::exit_code`]). `main` prints the message once.

use std::fmt;
use std::path::PathBuf;

/// A position in an input file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column number, from 1.
    pub col: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One invalid value found while validating an experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file the value came from.
    pub file: PathBuf,
    /// Where in that file, when it can be found.
    pub location: Option<Location>,
    /// Dotted path of the field, e.g. `host.processes` or `functions[0].workload.rate_per_s`.
    pub field: String,
    /// The offending value as written.
    pub value: String,
    /// "is out of range", "is not a whole number", "is not allowed here"...
    pub what: String,
    /// What is allowed, and a hint.
    pub allowed: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(loc) = self.location {
            write!(f, ":{loc}")?;
        }
        write!(
            f,
            ": `{}` = {} {}: {}",
            self.field, self.value, self.what, self.allowed
        )
    }
}

/// One impossible value in a ground-truth folder read by `sim validate`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseProblem {
    /// `cases.json` or `measured.json`.
    pub file: PathBuf,
    /// The case's name (`cases[i]` when it has none), or `None` for the `machine` block.
    pub case: Option<String>,
    /// Dotted path of the field inside the case or block, e.g. `body.d_ms`.
    pub field: String,
    /// The value as written, or `None` when the field is missing.
    pub value: Option<String>,
    /// "is out of range", "is not a whole number", "is missing"...
    pub what: String,
    /// What is allowed, and a hint.
    pub allowed: String,
}

impl fmt::Display for CaseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        match &self.case {
            Some(case) => write!(f, "case {case}: ")?,
            None => f.write_str("machine: ")?,
        }
        write!(f, "`{}`", self.field)?;
        if let Some(value) = &self.value {
            write!(f, " = {value}")?;
        }
        write!(f, " {}: {}", self.what, self.allowed)
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A file could not be read.
    #[error("cannot read {}: {source}\n  hint: check the path; relative paths in an experiment are resolved against the experiment file's folder", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A folder given where a file is read.
    #[error("{} is a folder, not a file\n  hint: name a .ron file in it, e.g. experiments/io_bound.ron", path.display())]
    NotAFile {
        /// The folder.
        path: PathBuf,
    },
    /// RON that does not parse, or does not fit the schema.
    #[error("{}:{location}: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// Where.
        location: Location,
        /// What was expected, or which field is unknown and which are valid.
        message: String,
    },
    /// Values that parse but are not allowed (all of them, not just the first).
    #[error("{}", list_problems(.0, "in the experiment"))]
    Invalid(Vec<Problem>),
    /// Ground-truth cases that cannot be simulated (all of them, before anything runs).
    #[error("{}", list_problems(.0, "in the ground-truth cases (nothing was simulated)"))]
    BadCases(Vec<CaseProblem>),
    /// A broken row in a trace or arrivals file.
    #[error("{}:{line}: {message}", file.display())]
    Trace {
        /// The CSV file.
        file: PathBuf,
        /// 1-based line number (the header is line 1).
        line: usize,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A `--set path=value` (or a compare variant's `set` entry) that names no field or gives
    /// a value of the wrong type.
    #[error("{spec}: {message}")]
    Override {
        /// The override as given, with where: `--set host.threads=4`.
        spec: String,
        /// Why it does not apply.
        message: String,
    },
    /// Compare variants that cannot run (refused before time starts, or stopped), each with its
    /// name and why; nothing is written.
    #[error("{}", list_variants(.0))]
    Variants(Vec<(String, SimError)>),
    /// Sweep configurations that cannot run, each named by its overrides; nothing is written.
    #[error("{}", list_configurations(.0))]
    Configurations(Vec<(String, SimError)>),
    /// A sweep that cannot start or be merged: its folder, what is wrong and what to do.
    #[error("{}: {message}", path.display())]
    Sweep {
        /// The experiment file, output folder or journal concerned.
        path: PathBuf,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// A ground-truth directory that cannot be used by `sim validate`.
    #[error("{}: {message}", path.display())]
    GroundTruth {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Output could not be written; earlier outputs are left as they were.
    #[error("cannot write {}: {source}\n  hint: check that the folder is writable; any previous output there is untouched", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The hour files of a grouped 2019 replay could not be written or read back.
    #[error("cannot write the hour files of the grouped trace functions in {}: {source}\n  hint: set TMPDIR to a writable folder with room for 12 bytes per nonzero minute count of the trace (the files are removed when the run ends)", path.display())]
    Spill {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `--out` names a folder sim must not replace.
    #[error("cannot use {} as the output folder: {message}", path.display())]
    OutputFolder {
        /// The folder.
        path: PathBuf,
        /// Why, and what to do instead.
        message: String,
    },
    /// The run's estimate passes a limit and `--yes` was not given.
    #[error("{}: this run is too big to start without --yes:\n  estimate: {estimate}\n{}\n  hint: change the experiment as suggested, or add --yes to run it anyway", file.display(), list_lines(.over))]
    TooBig {
        /// The experiment file.
        file: PathBuf,
        /// The estimate in one line.
        estimate: String,
        /// Each limit passed, with what would bring it down.
        over: Vec<String>,
    },
    /// A run stopped before its end by a budget (nothing is written).
    #[error("the run was stopped at {at}: {reason}\n  nothing was written; any previous output is untouched")]
    Stopped {
        /// Simulated time and progress when it stopped.
        at: String,
        /// Why, and what to change.
        reason: String,
    },
    /// `sim validate --only TEXT` where no case's name contains TEXT.
    #[error("--only {only:?} matches no case in {}: {} (a case runs when its name contains the text)", path.display(), some_names(available))]
    NoSuchCase {
        /// The text given.
        only: String,
        /// The cases file.
        path: PathBuf,
        /// Every case's name.
        available: Vec<String>,
    },
    /// An experiment whose topology the model cannot build (nothing was simulated).
    #[error("cannot build the model: {0}")]
    Build(#[from] crate::model::BuildError),
    /// `sim validate` found cases outside their tolerance.
    #[error("{0} of the ground-truth checks missed their tolerance (see the table above)")]
    ValidationFailed(usize),
    /// A file of an output folder that `sim plot` or `sim trace-events` reads back: missing,
    /// or a row or field it cannot read.
    #[error("{}{}: {message}\n  hint: run the experiment again into that folder (sim run EXPERIMENT --out FOLDER) to write its files afresh", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    OutputFile {
        /// The file.
        file: PathBuf,
        /// 1-based line number of a CSV file (the header is line 1), when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A plot that could not be drawn (nothing of it was written).
    #[error("cannot draw {name}: {message}")]
    Draw {
        /// The plot.
        name: String,
        /// Why.
        message: String,
    },
}

fn list_variants(refused: &[(String, SimError)]) -> String {
    let mut s = format!(
        "{} compare variant{} cannot run; nothing was written, any previous output is untouched:",
        refused.len(),
        if refused.len() == 1 { "" } else { "s" }
    );
    for (name, e) in refused {
        s.push_str(&format!("\n  variant {name:?}:"));
        for line in e.to_string().lines() {
            s.push_str("\n    ");
            s.push_str(line);
        }
    }
    s
}

fn list_configurations(refused: &[(String, SimError)]) -> String {
    let mut s = format!(
        "{} problem{} in the sweep; nothing was written, any previous output is untouched:",
        refused.len(),
        if refused.len() == 1 { "" } else { "s" }
    );
    for (name, e) in refused.iter().take(LISTED_PROBLEMS) {
        s.push_str(&format!("\n  {name}:"));
        for line in e.to_string().lines() {
            s.push_str("\n    ");
            s.push_str(line);
        }
    }
    if refused.len() > LISTED_PROBLEMS {
        s.push_str(&format!(
            "\n  ... and {} more",
            refused.len() - LISTED_PROBLEMS
        ));
    }
    s
}

fn list_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("  over the limit: {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first few names and how many there are.
fn some_names(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = format!("its {} cases are ", names.len());
    s.push_str(&names[..names.len().min(SHOWN)].join(", "));
    if names.len() > SHOWN {
        s.push_str(&format!(", ... and {} more", names.len() - SHOWN));
    }
    s
}

/// How many problems an error lists; the rest are counted.
pub const LISTED_PROBLEMS: usize = 50;

fn list_problems<P: fmt::Display>(problems: &[P], place: &str) -> String {
    let mut s = format!(
        "{} invalid value{} {place}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems.iter().take(LISTED_PROBLEMS) {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    if problems.len() > LISTED_PROBLEMS {
        s.push_str(&format!(
            "\n  ... and {} more (fix these first; the rest are often the same mistake)",
            problems.len() - LISTED_PROBLEMS
        ));
    }
    s
}

impl SimError {
    /// 2 for bad input (the user must change something), 1 for failures while running.
    pub fn exit_code(&self) -> i32 {
        match self {
            SimError::Write { .. } | SimError::ValidationFailed(_) | SimError::Draw { .. } => 1,
            SimError::Variants(refused) | SimError::Configurations(refused) => refused
                .iter()
                .map(|(_, e)| e.exit_code())
                .min()
                .unwrap_or(2),
            _ => 2,
        }
    }
}

/// Result type of every fallible operation in sim.
pub type Result<T> = std::result::Result<T, SimError>;
