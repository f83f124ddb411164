// leaky.cc is leaky.c's leak in C++, for Leakscope's tests: allocations go
// through operator new (in libjemalloc), std::make_unique and std::vector.
// Run with MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:N it
// writes two heap profiles with mallctl("prof.dump"):
//
//   leaky-cc BASE.heap LATER.heap [WORKERS_BASE WORKERS_LATER]
#include <jemalloc/jemalloc.h>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

struct Work {
	char buf[16384];
};

struct Options {
	const char *name;
	std::vector<char> cache;
};

static std::vector<std::unique_ptr<Work>> registry;
static std::vector<Options> callers;

// cache_new allocates a cache through std::vector.
__attribute__((noinline)) std::vector<char> cache_new(std::size_t n) { return std::vector<char>(n, 1); }

// options_default is the Default-like helper: every caller gets a new cache.
__attribute__((noinline)) Options options_default() { return Options{"default", cache_new(3000)}; }

// worker_new registers background work that is never cancelled.
__attribute__((noinline)) Work *worker_new() {
	registry.push_back(std::make_unique<Work>());
	std::memset(registry.back()->buf, 2, sizeof registry.back()->buf);
	return registry.back().get();
}

// handle serves a request: its buffer is freed.
__attribute__((noinline)) static int handle(int i) {
	auto *req = new char[1024 + i % 7];
	req[0] = static_cast<char>(i);
	int r = req[0];
	delete[] req;
	return r;
}

static void dump(const char *path) {
	if (mallctl("prof.dump", nullptr, nullptr, &path, sizeof path) != 0) {
		std::abort();
	}
}

int main(int argc, char **argv) {
	if (argc < 3) {
		return 2;
	}
	int nbase = argc > 3 ? std::atoi(argv[3]) : 40;
	int nlater = argc > 4 ? std::atoi(argv[4]) : 100;
	registry.reserve(nlater);
	callers.reserve(nlater);
	for (int i = 0; i < nbase; i++) {
		worker_new();
		callers.push_back(options_default());
		handle(i);
	}
	dump(argv[1]);
	for (int i = nbase; i < nlater; i++) {
		worker_new();
		callers.push_back(options_default());
		handle(i);
	}
	dump(argv[2]);
	return 0;
}
