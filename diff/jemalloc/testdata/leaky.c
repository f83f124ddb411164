/*
 * leaky is a small C service that leaks through jemalloc, for Leakscope's
 * tests: run with MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:N it
 * writes two heap profiles with mallctl("prof.dump"):
 *
 *   leaky BASE.heap LATER.heap [WORKERS_BASE WORKERS_LATER]
 *
 * The leak: worker_new, a constructor, registers background work in a global
 * registry that nobody ever cancels; options_default, a Default-like helper
 * used in struct literals, allocates a cache for each caller that is never
 * freed. Request buffers are freed (churn), and a warm-up table shrinks
 * between the dumps.
 */
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct work {
	char *buf;
	struct work *next;
};

struct options {
	const char *name;
	char *cache;
};

static struct work *registry;
static char *warmup[64];

__attribute__((noinline)) static char *cache_new(size_t n) {
	char *c = malloc(n);
	memset(c, 1, n);
	return c;
}

/* options_default is the Default-like helper: every caller gets a new cache. */
__attribute__((noinline)) struct options options_default(void) {
	struct options o = {"default", cache_new(3000)};
	return o;
}

/* worker_new registers background work that is never cancelled. */
__attribute__((noinline)) struct work *worker_new(void) {
	struct work *w = calloc(1, sizeof *w);
	w->buf = malloc(16384);
	memset(w->buf, 2, 16384);
	w->next = registry;
	registry = w;
	return w;
}

/* handle serves a request: its buffers are freed. */
__attribute__((noinline)) static int handle(int i) {
	char *req = malloc(1024 + i % 7);
	char *resp = realloc(NULL, 4096);
	req[0] = (char)i;
	resp[0] = req[0];
	int r = resp[0];
	free(req);
	free(resp);
	return r;
}

__attribute__((noinline)) static void warm(int n) {
	for (int i = 0; i < n; i++)
		warmup[i] = malloc(8192);
}

__attribute__((noinline)) static void cool(int from, int to) {
	for (int i = from; i < to; i++) {
		free(warmup[i]);
		warmup[i] = NULL;
	}
}

/* hold keeps one buffer, allocated on one line before the first dump and on
 * another after it: the function's total stays, its two lines move by
 * -16384 and +16384. */
static char *held;

__attribute__((noinline)) static void hold(int phase) {
	if (phase == 0) {
		held = malloc(16384);
	} else {
		free(held);
		held = malloc(16384);
	}
	memset(held, 3, 16384);
}

static void dump(const char *path) {
	if (mallctl("prof.dump", NULL, NULL, &path, sizeof path) != 0) {
		fprintf(stderr, "leaky: prof.dump %s failed (is MALLOC_CONF=prof:true set?)\n", path);
		exit(1);
	}
}

__attribute__((noinline)) static void serve(int workers, struct options *keep) {
	for (int i = 0; i < workers; i++) {
		worker_new();
		struct options o = options_default();
		keep[i] = o;
		for (int j = 0; j < 20; j++)
			handle(j);
	}
}

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: leaky BASE.heap LATER.heap [WORKERS_BASE WORKERS_LATER]\n");
		return 2;
	}
	int nbase = argc > 3 ? atoi(argv[3]) : 40;
	int nlater = argc > 4 ? atoi(argv[4]) : 100;
	struct options *keep = calloc(nlater, sizeof *keep);
	warm(64);
	hold(0);
	serve(nbase, keep);
	dump(argv[1]);
	cool(16, 64);
	hold(1);
	serve(nlater - nbase, keep + nbase);
	dump(argv[2]);
	return 0;
}
