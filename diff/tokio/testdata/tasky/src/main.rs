//! tasky: a tokio service that leaks tasks as the story goes. Every request
//! builds a Client with `..Default::default()`, whose RegionCache::default
//! spawns a task that nothing stops. A fixed worker pool takes jobs; each
//! request runs short-lived tasks and frees some churn; a LocalSet holds a
//! few tasks it never runs. The program counts
//! the tasks of each spawn site itself and prints the counts at each dump.
//!
//! usage: tasky BASE.heap LATER.heap N1 N2 (N1 requests before the base
//! dump, N2 more before the later one). Run it with
//! MALLOC_CONF=prof:true,lg_prof_sample:0,prof_accum:true.

use std::alloc::{GlobalAlloc, Layout};
use std::os::raw::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

#[link(name = "jemalloc")]
extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn aligned_alloc(align: usize, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
    fn mallctl(name: *const c_char, oldp: *mut c_void, oldlenp: *mut usize, newp: *mut c_void, newlen: usize) -> c_int;
}

/// The global allocator: Debian's libjemalloc, through its C entry points.
struct Jemalloc;

unsafe impl GlobalAlloc for Jemalloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if l.align() <= 16 {
            malloc(l.size()) as *mut u8
        } else {
            let size = (l.size() + l.align() - 1) / l.align() * l.align();
            aligned_alloc(l.align(), size) as *mut u8
        }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if l.align() <= 16 {
            return calloc(1, l.size()) as *mut u8;
        }
        let p = self.alloc(l);
        if !p.is_null() {
            std::ptr::write_bytes(p, 0, l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, _: Layout) {
        free(p as *mut c_void)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        if l.align() <= 16 {
            return realloc(p as *mut c_void, size) as *mut u8;
        }
        let q = self.alloc(Layout::from_size_align_unchecked(size, l.align()));
        if !q.is_null() {
            std::ptr::copy_nonoverlapping(p, q, l.size().min(size));
            self.dealloc(p, l);
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Jemalloc = Jemalloc;

/// Tasks per spawn site: started, and not yet ended.
struct Counter {
    name: &'static str,
    spawned: AtomicI64,
    live: AtomicI64,
}

static CACHE: Counter = Counter { name: "cache", spawned: AtomicI64::new(0), live: AtomicI64::new(0) };
static POOL: Counter = Counter { name: "pool", spawned: AtomicI64::new(0), live: AtomicI64::new(0) };
static PART: Counter = Counter { name: "part", spawned: AtomicI64::new(0), live: AtomicI64::new(0) };
static BLOCKING: Counter = Counter { name: "blocking", spawned: AtomicI64::new(0), live: AtomicI64::new(0) };
static LOCAL: Counter = Counter { name: "local", spawned: AtomicI64::new(0), live: AtomicI64::new(0) };
static POLLED: AtomicI64 = AtomicI64::new(0);

/// Live is held by a task's future: it counts the task live until the
/// future is dropped.
struct Live(&'static Counter);

impl Live {
    fn new(c: &'static Counter) -> Live {
        c.spawned.fetch_add(1, SeqCst);
        c.live.fetch_add(1, SeqCst);
        Live(c)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, SeqCst);
    }
}

/// A cache of regions that refreshes itself in the background.
pub struct RegionCache {
    regions: Arc<Vec<u64>>,
}

impl Default for RegionCache {
    fn default() -> Self {
        let regions = Arc::new(vec![7u64; 8]);
        let mine = regions.clone();
        let live = Live::new(&CACHE);
        tokio::spawn(async move { // site: cache
            let _live = live;
            let table = load_table(&mine);
            POLLED.fetch_add(1, SeqCst);
            std::future::pending::<()>().await; // nothing ever stops it
            drop(table);
        });
        RegionCache { regions }
    }
}

/// load_table is the memory a cache task holds: allocated inside the task.
fn load_table(regions: &[u64]) -> Vec<u64> {
    let mut t = Vec::with_capacity(512);
    for i in 0..512 {
        t.push(regions[i % regions.len()] + i as u64);
    }
    t
}

/// A request's client: built per request, dropped at its end.
#[derive(Default)]
pub struct Client {
    id: u64,
    name: String,
    cache: RegionCache,
}

impl Client {
    fn new(id: u64) -> Client {
        Client { id, name: format!("client-{}", id), ..Default::default() }
    }
}

/// A fixed pool of workers that take jobs from one queue.
struct Pool {
    jobs: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
}

impl Pool {
    fn start(n: usize) -> Pool {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..n {
            let rx = rx.clone();
            let live = Live::new(&POOL);
            tokio::runtime::Handle::current().spawn(async move { // site: pool
                let _live = live;
                loop {
                    let job = rx.lock().await.recv().await;
                    match job {
                        Some(job) => drop(job),
                        None => break,
                    }
                }
            });
        }
        Pool { jobs: tx }
    }
}

async fn handle_request(id: u64, pool: &Pool) -> usize {
    let client = Client::new(id);
    let mut parts = tokio::task::JoinSet::new();
    for part in 0..2u8 {
        let live = Live::new(&PART);
        parts.spawn(async move { // site: part
            let _live = live;
            vec![part; 300].len()
        });
    }
    let mut n = 0;
    while let Some(r) = parts.join_next().await {
        n += r.expect("part task");
    }
    let live = Live::new(&BLOCKING);
    n += tokio::task::spawn_blocking(move || { // site: blocking
        let _live = live;
        vec![1u8; 200].len()
    })
    .await
    .expect("blocking task");
    let churn: Vec<Vec<u8>> = (0..8).map(|i| vec![i as u8; 1000]).collect();
    n += churn.len();
    drop(churn);
    pool.jobs.send(vec![0u8; 64]).expect("pool");
    n + client.name.len() + client.id as usize + client.cache.regions.len()
}

/// park_local spawns n tasks on a LocalSet that never runs them: they stay
/// live until the set is dropped.
fn park_local(set: &tokio::task::LocalSet, n: usize) {
    for _ in 0..n {
        let live = Live::new(&LOCAL);
        set.spawn_local(async move { // site: local
            let _live = live;
        });
    }
}

/// settle waits until every cache task has run its first poll and every
/// short-lived task has ended, so that a dump sees a quiet service.
async fn settle() {
    while POLLED.load(SeqCst) < CACHE.spawned.load(SeqCst) || PART.live.load(SeqCst) > 0 || BLOCKING.live.load(SeqCst) > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
}

fn dump(path: &str) {
    let c = std::ffi::CString::new(path).expect("path");
    let mut p: *const c_char = c.as_ptr();
    let r = unsafe {
        mallctl(
            b"prof.dump\0".as_ptr() as *const c_char,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut p as *mut *const c_char as *mut c_void,
            std::mem::size_of::<*const c_char>(),
        )
    };
    if r != 0 {
        eprintln!("tasky: prof.dump {}: error {} (run with MALLOC_CONF=prof:true)", path, r);
        std::process::exit(1);
    }
    let mut line = format!("dump {}", path);
    for c in [&CACHE, &POOL, &PART, &BLOCKING, &LOCAL] {
        line += &format!(" {}={}/{}", c.name, c.live.load(SeqCst), c.spawned.load(SeqCst));
    }
    println!("{}", line);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: tasky BASE.heap LATER.heap N1 N2");
        std::process::exit(2);
    }
    let n1: u64 = args[3].parse().expect("N1");
    let n2: u64 = args[4].parse().expect("N2");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().expect("runtime");
    let local = tokio::task::LocalSet::new();
    park_local(&local, 3);
    rt.block_on(async {
        let pool = Pool::start(4);
        let mut sum = 0;
        for id in 0..n1 {
            sum += handle_request(id, &pool).await;
        }
        settle().await;
        dump(&args[1]);
        for id in n1..n1 + n2 {
            sum += handle_request(id, &pool).await;
        }
        settle().await;
        dump(&args[2]);
        println!("sum {}", sum);
    });
    drop(local);
}
