//! Typed ids: each names one kind of thing (an instance, a process, a thread, a task...), so a
//! process id can never index the threads by mistake, and [`IdVec`], a vector indexed by one
//! kind of id. No other module turns an id into an integer: they index with the id itself.
//!
//! An id is the position of its record in the world's arena for that kind, kept in the
//! narrowest integer that holds every id a run can make (the records of invocations and
//! events carry them, and their size is the model's memory per invocation).

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// What every typed id offers: the arena position it stands for.
pub trait Id: Copy {
    /// The id of the record at position `index` (which must fit the id's integer).
    fn from_index(index: usize) -> Self;
    /// The position of its record in its arena.
    fn index(self) -> usize;
}

/// Defines a typed id over an unsigned integer, with its [`Id`] impl. The integer is private,
/// except for the ids the trigger front ends share with their callers (`pub` before it), which
/// their tests write as literals.
macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident($int:ty)) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub struct $name($int);

        typed_id!(@impl $name($int));
    };
    ($(#[$doc:meta])* $name:ident(pub $int:ty)) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub struct $name(pub $int);

        typed_id!(@impl $name($int));
    };
    (@impl $name:ident($int:ty)) => {
        impl $name {
            /// The largest number of records of this kind a run can hold.
            pub const LIMIT: usize = <$int>::MAX as usize;

            /// The position of its record in its arena.
            #[inline(always)]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl Id for $name {
            #[inline(always)]
            fn from_index(index: usize) -> Self {
                debug_assert!(index <= Self::LIMIT, "{} {index} overflows", stringify!($name));
                $name(index as $int)
            }
            #[inline(always)]
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

typed_id!(
    /// A host instance, index into `World::instances`.
    InstanceId(u16)
);
typed_id!(
    /// A worker process, index into `World::processes` (numbered across the whole fleet:
    /// an instance's processes are a list of these).
    ProcessId(u16)
);

typed_id!(
    /// An OS thread of a worker process, index into `World::threads` (numbered across the
    /// whole fleet, in creation order).
    ThreadId(u32)
);
typed_id!(
    /// A host instance, as the trigger front ends know it: its `InstanceId`'s position, in the
    /// front ends' own wider integer (see `fleet::slot_of`).
    InstanceSlot(pub u32)
);
typed_id!(
    /// A partition of an event hub, 0..P.
    PartitionId(pub u32)
);
typed_id!(
    /// A thread's seat on its instance's cores: the instance numbers its own threads 0, 1, ...
    /// as they are created, so the cores' per-thread table holds only that instance's threads
    /// (a fleet-wide thread id would size every instance's table by the whole fleet).
    CoreSlot(u32)
);
typed_id!(
    /// A worker process's place among its instance's processes (0 for the first one created):
    /// index into `Instance::processes` and into the per-process accounts of its cores.
    ProcessRank(u16)
);
typed_id!(
    /// An invocation in flight, index into `World::invs` (a slab: the id of an answered
    /// invocation is reused; its number in the output files is `Inv::id`).
    InvId(u32)
);
typed_id!(
    /// A running program (a body, a gather branch or an executor call), index into
    /// `World::tasks` (a slab: a finished task's id is reused).
    TaskId(u32)
);
typed_id!(
    /// A function of the app, index into `World::functions` and every per-function table (its
    /// position in the experiment's list).
    FuncId(u16)
);
typed_id!(
    /// A compiled program (a body or one of its sub-programs), index into `Programs`.
    ProgId(u32)
);
typed_id!(
    /// A closed-loop client of one function, index into that function's `Clients::sent`.
    ClientId(u32)
);

impl InstanceId {
    /// The number the output files give the instance.
    pub fn number(self) -> u16 {
        self.0
    }
}

impl ProcessId {
    /// The number the output files give the process.
    pub fn number(self) -> u16 {
        self.0
    }
}

impl CoreSlot {
    /// Never a thread's seat (an instance would need 2^32 - 1 threads first): the cores name
    /// the host process's own burst with it, beside its threads' bursts (see `cpu`). Being the
    /// largest, it comes after every thread when bursts end at the same instant.
    pub const HOST: CoreSlot = CoreSlot(u32::MAX);
}

impl FuncId {
    /// The number the output files and the recorder give the function.
    pub fn number(self) -> u16 {
        self.0
    }
}

/// A vector whose positions are ids of kind `I`: `v[id]` takes only that kind.
#[derive(Debug, Clone)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    kind: PhantomData<I>,
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec {
            items: Vec::new(),
            kind: PhantomData,
        }
    }
}

impl<I: Id, T> IdVec<I, T> {
    /// Appends `item` and returns its id.
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    /// The id the next pushed item will get.
    pub fn next_id(&self) -> I {
        I::from_index(self.items.len())
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl Iterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// The items, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items, in id order, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    /// The items of `items`, the first one getting id 0.
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            kind: PhantomData,
        }
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    /// The items, in id order.
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline(always)]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}
