/* opts.h: command-line options declared once, in a table.
 *
 * Each tool lists its options (opts_opt) and describes itself (opts_tool);
 * opts_parse drives getopt_long from the table, checks values as cli.h does
 * (die_usage "--OPT: ..." on a bad value, exit 2), then the options that are
 * required or that need another, and answers --help and --version (stdout,
 * exit 0). The same table gives the usage synopsis and the help text, so
 * they cannot drift from what is parsed.
 *
 *	int window = 3;
 *	opts_opt opt[] = {
 *		OPTS_INT("window", 0, "N", "frames per window", &window, 1, 1000),
 *		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
 *		OPTS_END,
 *	};
 *	opts_tool t = {"ckmeans", "track ids by constrained k-means", "[FILE]", opt};
 *	int i = opts_parse(&t, argc, argv);    // argv[i..] are the operands
 *
 * Tables hold pointers to the tool's variables, so they live in the
 * function that parses (they are written to: opts_parse records what it
 * saw in each entry). */
#ifndef USC_OPTS_H
#define USC_OPTS_H

#include <stddef.h>
#include <stdio.h>

typedef enum opts_kind {
	OPTS_KIND_FLAG,     /* no argument: stores val in an int */
	OPTS_KIND_INT,      /* integer in ilo..ihi into an int, long or long long */
	OPTS_KIND_NUM,      /* number in lo..hi into a double or float */
	OPTS_KIND_STR,      /* the argument itself into a const char * */
	OPTS_KIND_CHOICE,   /* one of words ("a|b|c"): vals[i], or i, into an int */
	OPTS_KIND_CALL,     /* fn(opt, arg) does the work */
} opts_kind;

typedef struct opts_opt opts_opt;
typedef void (*opts_fn)(const opts_opt *o, const char *arg);

struct opts_opt {
	const char *name;    /* long name without "--"; NULL ends the table */
	int letter;          /* short option letter, 0 for none */
	const char *arg;     /* argument name in usage and help; NULL: takes none */
	const char *help;    /* what it does, one line */
	opts_kind kind;
	void *dst;           /* the variable set */
	size_t size;         /* sizeof *dst */
	int val;             /* FLAG: the value stored */
	long long ilo, ihi;  /* INT bounds */
	double lo, hi;       /* NUM bounds */
	const char *words;   /* CHOICE: the allowed words, "|" between them */
	const int *vals;     /* CHOICE: the value of each word; NULL: its index */
	opts_fn fn;          /* CALL */
	/* Optional, given as designated initializers after the macro's own: */
	const char *def;     /* default shown in help; NULL: the variable's value
	                        when parsing starts (INT, NUM, CHOICE, STR); "": none */
	const char *needs;   /* "PARENT" or "PARENT=WORD": a usage error when given
	                        without --PARENT (with that argument) */
	int required;        /* a usage error when not given */
	int spell_long;      /* name it --NAME, not -L, in the synopsis and messages */
	int group;           /* options of one nonzero group are alternatives in the
	                        synopsis, "(a | b)"; the tool checks their use */
	/* Set by opts_parse: */
	int seen;            /* times given */
	const char *last;    /* the last argument given */
	char shown[40];      /* the default, formatted before parsing */
};

typedef struct opts_tool {
	const char *name;      /* the program, for usage, help and --version */
	const char *about;     /* one-line description for --help */
	const char *operands;  /* after the options in the synopsis, e.g. "[FILE]" */
	opts_opt *opt;         /* the table, ended by OPTS_END */
} opts_tool;

#define OPTS_FLAG(N, L, H, P, ...) { .name = (N), .letter = (L), .help = (H), \
	.kind = OPTS_KIND_FLAG, .dst = (P), .size = sizeof *(P), .val = 1, __VA_ARGS__ }
#define OPTS_SET(N, L, H, P, V, ...) { .name = (N), .letter = (L), .help = (H), \
	.kind = OPTS_KIND_FLAG, .dst = (P), .size = sizeof *(P), .val = (V), __VA_ARGS__ }
#define OPTS_INT(N, L, A, H, P, LO, HI, ...) { .name = (N), .letter = (L), .arg = (A), \
	.help = (H), .kind = OPTS_KIND_INT, .dst = (P), .size = sizeof *(P), \
	.ilo = (LO), .ihi = (HI), __VA_ARGS__ }
#define OPTS_NUM(N, L, A, H, P, LO, HI, ...) { .name = (N), .letter = (L), .arg = (A), \
	.help = (H), .kind = OPTS_KIND_NUM, .dst = (P), .size = sizeof *(P), \
	.lo = (LO), .hi = (HI), __VA_ARGS__ }
#define OPTS_STR(N, L, A, H, P, ...) { .name = (N), .letter = (L), .arg = (A), .help = (H), \
	.kind = OPTS_KIND_STR, .dst = (P), .size = sizeof *(P), __VA_ARGS__ }
#define OPTS_CHOICE(N, L, W, H, P, V, ...) { .name = (N), .letter = (L), .arg = (W), \
	.help = (H), .kind = OPTS_KIND_CHOICE, .dst = (P), .size = sizeof *(P), .words = (W), \
	.vals = (V), __VA_ARGS__ }
#define OPTS_CALL(N, L, A, H, F, P, ...) { .name = (N), .letter = (L), .arg = (A), .help = (H), \
	.kind = OPTS_KIND_CALL, .fn = (F), .dst = (P), __VA_ARGS__ }
#define OPTS_END { .name = NULL }

/* Parses argv (getopt_long, arguments permuted as usual) and returns the
 * index of the first operand. Exits on --help, --version and usage errors. */
int opts_parse(const opts_tool *t, int argc, char **argv);
/* The operand at argv[first], or NULL when there is none; one more than
 * max (0 or 1) is a usage error, "unexpected argument 'X'". */
const char *opts_operand(int first, int argc, char **argv, int max);

/* The synopsis ("usage: TOOL ..."), wrapped at 80 columns. */
void opts_usage(const opts_tool *t, FILE *fp);
/* Synopsis, description, then every option with its argument, help and
 * default. */
void opts_help(const opts_tool *t, FILE *fp);
/* "TOOL (usc-mots) VERSION" */
void opts_version(const opts_tool *t, FILE *fp);

/* The entry named name (long name), or NULL. */
opts_opt *opts_find(const opts_tool *t, const char *name);
/* Times the option was given (0 when it is not in the table). */
int opts_given(const opts_tool *t, const char *name);

/* Settings from another preset, the options given kept: obj (n bytes) is
 * the object the table's options write into and base one of the same type;
 * obj becomes base with the value of every option given (whose dst lies in
 * obj and whose size is set) copied over it. For a flag such as --paper:
 * parse, then rebase onto the paper's settings. */
void opts_rebase(const opts_tool *t, void *obj, const void *base, size_t n);

#endif
