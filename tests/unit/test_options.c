/* Option parsing (lib/c/options.c, lib/c/number.c) with a table shaped like
 * the servers': the chain's shared options, a seed-specific alias of
 * --next-task in the same slot, and a server's own options. */
#include <stdint.h>
#include "rt/rt.h"
#include "rt/options.h"
#include "unit.h"

enum { S_HOST, S_DEVICE, S_NEXT, S_STALL, S_NAME, S_VERBOSE, S_DEPTH };

static const struct opt_spec spec[] = {
	{ "host-priv-port", OPT_PORT, S_HOST, "the host privilege port" },
	{ "device-master-port", OPT_PORT, S_DEVICE, "the device master port" },
	{ "next-task", OPT_TASK, S_NEXT, "the next stage's task" },
	{ "stall-timeout", OPT_NUM, S_STALL, "seconds" },
	{ "disk-server-task", OPT_TASK, S_NEXT, "the seed's name for --next-task" },
	{ "name", OPT_STR, S_NAME, "a device name" },
	{ "verbose", OPT_FLAG, S_VERBOSE, "say more" },
	{ "queue-depth", OPT_NUM, S_DEPTH, "requests in flight" },
};
#define NSPEC (sizeof spec / sizeof spec[0])

static struct opt_result res;
static char err[200];

/* Parses the NULL-terminated argument list (argv[0] is the program). */
static int parse(const char *const *args)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)"diskdrv";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	memset(err, 0, sizeof err);
	return opt_parse(spec, NSPEC, argc, argv, &res, err, sizeof err);
}
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The arguments must be refused with a message containing every one of the
 * NULL-terminated WORDS. */
static void refused(int line, const char *const *args, const char *const *words)
{
	int r = parse(args);
	if (!unit_check(r == -1, __FILE__, line, "accepted what it should refuse (%s ...)", args[0]))
		return;
	for (; *words; words++)
		unit_check(strstr(err, *words) != NULL, __FILE__, line,
		           "error \"%s\" does not mention \"%s\"", err, *words);
}
#define REFUSED(args, ...) refused(__LINE__, args, (const char *const[]){ __VA_ARGS__, NULL })

static void test_values(void)
{
	int r = parse(ARGS("--host-priv-port=1", "--device-master-port=0x2", "--disk-server-task=3",
	                   "--name=vd0s1", "--verbose", "--stall-timeout=0", "--queue-depth=4294967295"));
	CHECK(r == 0, "a full command line is accepted: %s", err);
	CHECK(res.num[S_HOST] == 1, "host-priv-port = %u", res.num[S_HOST]);
	CHECK(res.num[S_DEVICE] == 2, "hex device-master-port = %u", res.num[S_DEVICE]);
	CHECK(res.num[S_NEXT] == 3, "alias fills the shared slot: %u", res.num[S_NEXT]);
	CHECK(res.given[S_NEXT] && strcmp(res.given[S_NEXT], "disk-server-task") == 0,
	      "given names the alias used: %s", res.given[S_NEXT] ? res.given[S_NEXT] : "(null)");
	CHECK(res.str[S_NAME] && strcmp(res.str[S_NAME], "vd0s1") == 0, "string value");
	CHECK(res.num[S_VERBOSE] == 1 && res.given[S_VERBOSE], "a flag is 1 when given");
	CHECK(res.num[S_STALL] == 0 && res.given[S_STALL], "a number may be 0 (and is marked given)");
	CHECK(res.num[S_DEPTH] == 0xffffffffu, "the largest 32-bit number: %u", res.num[S_DEPTH]);
	CHECK(res.npos == 0, "no positional arguments: %d", res.npos);

	r = parse(ARGS("--next-task=0xDeadBeef", "--queue-depth=0x10"));
	CHECK(r == 0 && res.num[S_NEXT] == 0xdeadbeefu && res.num[S_DEPTH] == 16,
	      "mixed-case hex: %#x %u (%s)", res.num[S_NEXT], res.num[S_DEPTH], err);
	CHECK(res.given[S_HOST] == NULL && res.num[S_HOST] == 0 && res.str[S_NAME] == NULL,
	      "options not given stay empty");
	CHECK(res.given[S_NEXT] && strcmp(res.given[S_NEXT], "next-task") == 0, "given: the generic name");

	r = parse(ARGS("--name=a=b", "--queue-depth=007"));
	CHECK(r == 0 && strcmp(res.str[S_NAME], "a=b") == 0, "a value keeps its own '=': %s", res.str[S_NAME]);
	CHECK(res.num[S_DEPTH] == 7, "leading zeros are decimal: %u", res.num[S_DEPTH]);

	r = parse(ARGS("vd0s1", "--verbose", "-x", "$(task-resume)", "second"));
	CHECK(r == 0 && res.npos == 4, "positional arguments between options: %d (%s)", res.npos, err);
	CHECK(res.npos == 4 && strcmp(res.pos[0], "vd0s1") == 0 && strcmp(res.pos[1], "-x") == 0
	      && strcmp(res.pos[2], "$(task-resume)") == 0 && strcmp(res.pos[3], "second") == 0,
	      "positional arguments keep their order; a single dash is not an option");

	char *none[] = { (char *)"prog", NULL };
	r = opt_parse(spec, NSPEC, 1, none, &res, err, sizeof err);
	CHECK(r == 0 && res.npos == 0 && res.given[S_HOST] == NULL, "no arguments at all");

	/* the result is cleared on every call */
	memset(&res, 0xff, sizeof res);
	r = parse(ARGS("x"));
	CHECK(r == 0 && res.npos == 1 && res.num[S_DEPTH] == 0 && res.given[S_DEPTH] == NULL,
	      "stale results are cleared");

	r = parse(ARGS("1", "2", "3", "4", "5", "6", "7", "8"));
	CHECK(r == 0 && res.npos == OPT_POS_MAX, "%d positional arguments fit", OPT_POS_MAX);
}

static void test_errors(void)
{
	REFUSED(ARGS("--bogus=3"), "unknown", "--bogus");
	REFUSED(ARGS("--host-priv-port=1", "--verbos"), "unknown", "--verbos");
	REFUSED(ARGS("--host"), "unknown", "--host");          /* no prefix matching */
	REFUSED(ARGS("--"), "unknown", "--");
	REFUSED(ARGS("--host-priv-port"), "--host-priv-port", "value");
	REFUSED(ARGS("--host-priv-port="), "--host-priv-port", "value");
	REFUSED(ARGS("--name="), "--name", "value");
	REFUSED(ARGS("--name"), "--name", "value");
	REFUSED(ARGS("--queue-depth=12x"), "--queue-depth", "12x", "not a number");
	REFUSED(ARGS("--queue-depth=-1"), "--queue-depth", "-1", "not a number");
	REFUSED(ARGS("--queue-depth=0x"), "--queue-depth", "not a number");
	REFUSED(ARGS("--queue-depth=0xg"), "--queue-depth", "0xg", "not a number");
	REFUSED(ARGS("--queue-depth= 5"), "--queue-depth", "not a number");
	REFUSED(ARGS("--device-master-port=${device-port}"), "--device-master-port", "${device-port}");
	REFUSED(ARGS("--queue-depth=4294967296"), "--queue-depth", "4294967296");
	REFUSED(ARGS("--queue-depth=0x100000000"), "--queue-depth", "0x100000000");
	REFUSED(ARGS("--queue-depth=99999999999999999999999"), "--queue-depth");
	REFUSED(ARGS("--host-priv-port=0"), "--host-priv-port", "port");
	REFUSED(ARGS("--next-task=0x0"), "--next-task", "port");
	REFUSED(ARGS("--device-master-port=0xffffffff"), "--device-master-port", "port");
	REFUSED(ARGS("--verbose=1"), "--verbose", "no value");
	REFUSED(ARGS("--verbose="), "--verbose", "no value");
	REFUSED(ARGS("--next-task=3", "--disk-server-task=4"), "--disk-server-task", "--next-task");
	REFUSED(ARGS("--disk-server-task=4", "--next-task=3"), "--disk-server-task", "--next-task");
	REFUSED(ARGS("--verbose", "--verbose"), "--verbose");
	REFUSED(ARGS("--name=a", "--name=b"), "--name");
	REFUSED(ARGS("1", "2", "3", "4", "5", "6", "7", "8", "ninth"), "ninth", "8");

	/* a short error buffer gets a terminated prefix, nothing past it */
	char small[12];
	memset(small, '#', sizeof small);
	char *argv[] = { (char *)"prog", (char *)"--a-rather-long-unknown-option", NULL };
	int r = opt_parse(spec, NSPEC, 2, argv, &res, small, 8);
	CHECK(r == -1 && strlen(small) == 7 && small[8] == '#', "error truncated to the buffer: \"%s\"", small);
	r = opt_parse(spec, NSPEC, 2, argv, &res, NULL, 0);
	CHECK(r == -1, "no error buffer at all");
}

static void test_find(void)
{
	const struct opt_spec *s = opt_find(spec, NSPEC, "next-task", 9);
	CHECK(s == &spec[2], "opt_find finds next-task");
	s = opt_find(spec, NSPEC, "next-task=5", 9);
	CHECK(s == &spec[2], "opt_find looks at LEN characters only");
	CHECK(opt_find(spec, NSPEC, "next", 4) == NULL, "opt_find does not match a prefix");
	CHECK(opt_find(spec, NSPEC, "next-tasks", 10) == NULL, "opt_find does not match a longer name");
	CHECK(opt_find(spec, NSPEC, "", 0) == NULL, "opt_find of the empty name");
}

static void test_numbers(void)
{
	static const struct { const char *s; int ok; uint32_t v; } cases[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "42", 1, 42 }, { "4294967295", 1, 0xffffffffu },
		{ "0x0", 1, 0 }, { "0X1f", 1, 31 }, { "0xFFFFFFFF", 1, 0xffffffffu }, { "0x00000000ff", 1, 255 },
		{ "4294967296", 0, 0 }, { "0x100000000", 0, 0 }, { "18446744073709551617", 0, 0 },
		{ "", 0, 0 }, { "0x", 0, 0 }, { "x1", 0, 0 }, { "1x", 0, 0 }, { "12a", 0, 0 },
		{ "-1", 0, 0 }, { "+1", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 }, { "0xz", 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t v = 12345;
		int r = parse_u32(cases[i].s, &v);
		if (cases[i].ok)
			CHECK(r == 0 && v == cases[i].v, "parse_u32(\"%s\") = %d, %u", cases[i].s, r, v);
		else
			CHECK(r == -1 && v == 12345, "parse_u32(\"%s\") = %d (should fail, leaving the output)", cases[i].s, r);
	}
}

int main(void)
{
	test_values();
	test_errors();
	test_find();
	test_numbers();
	return unit_report();
}
