#include "opts.h"
#include "cli.h"
#include "err.h"
#include "version.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OPTS_HELP 1      /* getopt values of the built-in options; */
#define OPTS_VERSION 2   /* table entry i answers as 256 + i */
#define OPTS_WIDTH 80
#define OPTS_COL 28

static size_t opts_count(const opts_tool *t)
{
	size_t n = 0;
	while (t->opt[n].name)
		n++;
	return n;
}

opts_opt *opts_find(const opts_tool *t, const char *name)
{
	for (opts_opt *o = t->opt; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

const char *opts_operand(int first, int argc, char **argv, int max)
{
	if (first + max < argc)
		die_usage("unexpected argument '%s'", argv[first + max]);
	return first < argc ? argv[first] : NULL;
}

int opts_given(const opts_tool *t, const char *name)
{
	const opts_opt *o = opts_find(t, name);
	return o ? o->seen : 0;
}

void opts_rebase(const opts_tool *t, void *obj, const void *base, size_t n)
{
	unsigned char *tmp = xmalloc(n ? n : 1);
	uintptr_t lo = (uintptr_t)obj, hi = lo + n;
	memcpy(tmp, base, n);
	for (const opts_opt *o = t->opt; o->name; o++) {
		uintptr_t d = (uintptr_t)o->dst;
		if (o->seen && o->size && d >= lo && d + o->size <= hi)
			memcpy(tmp + (d - lo), o->dst, o->size);
	}
	memcpy(obj, tmp, n);
	free(tmp);
}

/* Word i of "a|b|c" into buf; 0 when there is no word i. */
static int opts_word(const char *words, int i, char *buf, size_t n)
{
	const char *p = words;
	for (; i > 0 && p; i--)
		p = strchr(p, '|'), p = p ? p + 1 : NULL;
	if (!p)
		return 0;
	size_t len = strcspn(p, "|");
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), p);
	return 1;
}

static int opts_get_int(const opts_opt *o, long long *v)
{
	if (o->size == sizeof(int))
		*v = *(const int *)o->dst;
	else if (o->size == sizeof(long long))
		*v = *(const long long *)o->dst;
	else
		return 0;
	return 1;
}

static void opts_put_int(const opts_opt *o, long long v)
{
	/* uint64_t and long share long long's size; values are never negative there */
	if (o->size == sizeof(int))
		*(int *)o->dst = (int)v;
	else if (o->size == sizeof(long long))
		*(long long *)o->dst = v;
	else
		die("--%s: unsupported variable size %zu", o->name, o->size);
}

/* The default as help shows it, from the variable before parsing. */
static void opts_snapshot(opts_opt *o)
{
	long long v;
	o->shown[0] = 0;
	if (o->def || !o->dst)
		return;
	switch (o->kind) {
	case OPTS_KIND_INT:
		if (opts_get_int(o, &v))
			snprintf(o->shown, sizeof o->shown, "%lld", v);
		break;
	case OPTS_KIND_NUM:
		snprintf(o->shown, sizeof o->shown, "%g", o->size == sizeof(float) ?
			 (double)*(const float *)o->dst : *(const double *)o->dst);
		break;
	case OPTS_KIND_CHOICE:
		if (!opts_get_int(o, &v))
			break;
		for (int i = 0; opts_word(o->words, i, o->shown, sizeof o->shown); i++)
			if ((o->vals ? o->vals[i] : i) == v)
				return;
		o->shown[0] = 0;
		break;
	case OPTS_KIND_STR:
		if (*(const char *const *)o->dst)
			snprintf(o->shown, sizeof o->shown, "%s", *(const char *const *)o->dst);
		break;
	default:
		break;
	}
}

/* "a|b|c" as "a, b or c", for messages. */
static void opts_words_text(const char *words, char *buf, size_t n)
{
	char w[64];
	int k = 0;
	while (opts_word(words, k, w, sizeof w))
		k++;
	buf[0] = 0;
	for (int i = 0; i < k; i++) {
		opts_word(words, i, w, sizeof w);
		size_t l = strlen(buf);
		snprintf(buf + l, n - l, "%s%s", i == 0 ? "" : i == k - 1 ? " or " : ", ", w);
	}
}

static void opts_choice(const opts_opt *o, const char *arg)
{
	char w[64], all[256];
	for (int i = 0; opts_word(o->words, i, w, sizeof w); i++)
		if (!strcmp(w, arg)) {
			opts_put_int(o, o->vals ? o->vals[i] : i);
			return;
		}
	opts_words_text(o->words, all, sizeof all);
	die_usage("--%s: '%s' is not %s", o->name, arg, all);
}

static void opts_apply(opts_opt *o, const char *arg)
{
	char flag[80];
	snprintf(flag, sizeof flag, "--%s", o->name);
	o->seen++;
	o->last = arg;
	switch (o->kind) {
	case OPTS_KIND_FLAG: opts_put_int(o, o->val); break;
	case OPTS_KIND_INT: opts_put_int(o, cli_int(flag, arg, o->ilo, o->ihi)); break;
	case OPTS_KIND_NUM: {
		double v = cli_num(flag, arg, o->lo, o->hi);
		if (o->size == sizeof(float))
			*(float *)o->dst = (float)v;
		else
			*(double *)o->dst = v;
		break;
	}
	case OPTS_KIND_STR: *(const char **)o->dst = arg; break;
	case OPTS_KIND_CHOICE: opts_choice(o, arg); break;
	case OPTS_KIND_CALL: o->fn(o, arg); break;
	}
}

/* "-o FILE" or "--gt GT": how messages and the synopsis name an option. */
static void opts_spell(const opts_opt *o, int with_arg, char *buf, size_t n)
{
	if (o->letter && !o->spell_long)
		snprintf(buf, n, "-%c", o->letter);
	else
		snprintf(buf, n, "--%s", o->name);
	if (with_arg && o->arg) {
		size_t l = strlen(buf);
		snprintf(buf + l, n - l, " %s", o->arg);
	}
}

/* Required options, then options given without the one they need. */
static void opts_check(const opts_tool *t)
{
	char a[120], b[120];
	for (const opts_opt *o = t->opt; o->name; o++) {
		if (o->required && !o->group && !o->seen) {
			opts_spell(o, 1, a, sizeof a);
			die_usage("%s is required", a);
		}
		if (!o->needs || !o->seen)
			continue;
		size_t pl = strcspn(o->needs, "=");
		snprintf(b, sizeof b, "%.*s", (int)pl, o->needs);
		const opts_opt *p = opts_find(t, b);
		const char *word = o->needs[pl] ? o->needs + pl + 1 : NULL;
		if (!p)
			die("--%s needs --%s, which is not an option", o->name, b);
		if (p->seen && (!word || (p->last && !strcmp(p->last, word))))
			continue;
		snprintf(a, sizeof a, "--%s", p->name);
		if (word || p->arg) {
			size_t l = strlen(a);
			snprintf(a + l, sizeof a - l, " %s", word ? word : p->arg);
		}
		die_usage("--%s needs %s", o->name, a);
	}
}

/* An unknown option, a missing or unwanted argument, as one line. */
static _Noreturn void opts_bad(const opts_tool *t, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	if (optopt >= 256 && (size_t)(optopt - 256) < opts_count(t)) {
		const opts_opt *o = &t->opt[optopt - 256];
		if (o->arg && c == ':')
			die_usage("option '--%s' requires an argument", o->name);
		die_usage("option '--%s' doesn't allow an argument", o->name);
	}
	if (optopt && c == ':')
		die_usage("option requires an argument -- '%c'", optopt);
	if (optopt)
		die_usage("invalid option -- '%c'", optopt);
	die_usage("unrecognized option '%s'", arg);
}

int opts_parse(const opts_tool *t, int argc, char **argv)
{
	size_t n = opts_count(t);
	struct option *lo = xcalloc(n + 3, sizeof *lo);
	char *so = xmalloc(3 * n + 4), *s = so;
	*s++ = ':';   /* ':' for a missing argument, not '?' */
	for (size_t i = 0; i < n; i++) {
		opts_opt *o = &t->opt[i];
		opts_snapshot(o);
		o->seen = 0, o->last = NULL;
		lo[i] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
					256 + (int)i};
		if (o->letter) {
			*s++ = (char)o->letter;
			if (o->arg)
				*s++ = ':';
		}
	}
	*s++ = 'h', *s = 0;
	lo[n] = (struct option){"help", no_argument, NULL, OPTS_HELP};
	lo[n + 1] = (struct option){"version", no_argument, NULL, OPTS_VERSION};
	opterr = 0;
	optind = 0;   /* a full restart of getopt, for callers that parse twice */
	int c;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		opts_opt *o = NULL;
		if (c >= 256)
			o = &t->opt[c - 256];
		else if (c == 'h' || c == OPTS_HELP)
			opts_help(t, stdout), exit(fflush(stdout) ? 1 : 0);
		else if (c == OPTS_VERSION)
			opts_version(t, stdout), exit(fflush(stdout) ? 1 : 0);
		else if (c != '?' && c != ':')
			for (size_t i = 0; i < n && !o; i++)
				o = t->opt[i].letter == c ? &t->opt[i] : NULL;
		if (!o)
			opts_bad(t, c, argv);
		opts_apply(o, optarg);
	}
	free(lo), free(so);
	opts_check(t);
	return optind;
}

/* ---- the synopsis and --help ---- */

typedef struct opts_line {
	FILE *fp;
	size_t col, indent;
} opts_line;

/* Writes one synopsis item, wrapping before it when the line is full. */
static void opts_item(opts_line *l, const char *s)
{
	size_t n = strlen(s);
	if (l->col + 1 + n > OPTS_WIDTH && l->col > l->indent) {
		fprintf(l->fp, "\n%*s", (int)l->indent, "");
		l->col = l->indent;
	} else {
		fputc(' ', l->fp);
		l->col++;
	}
	fputs(s, l->fp);
	l->col += n;
}

/* "[--motion-gate [--motion-iou X]]": o with the options that need it. */
static void opts_item_text(const opts_tool *t, const opts_opt *o, char *buf, size_t n, int depth)
{
	char me[120], sub[600];
	opts_spell(o, 1, me, sizeof me);
	size_t l = 0;
	l += (size_t)snprintf(buf + l, n - l, "%s%s", o->required ? "" : "[", me);
	for (const opts_opt *c = t->opt; c->name && depth < 3; c++) {
		size_t pl = c->needs ? strcspn(c->needs, "=") : 0;
		if (!c->needs || strlen(o->name) != pl || strncmp(c->needs, o->name, pl))
			continue;
		opts_item_text(t, c, sub, sizeof sub, depth + 1);
		if (l < n)
			l += (size_t)snprintf(buf + l, n - l, " %s", sub);
	}
	if (!o->required && l < n)
		snprintf(buf + l, n - l, "]");
}

void opts_usage(const opts_tool *t, FILE *fp)
{
	opts_line l = {fp, 0, strlen(t->name) + 8};
	char buf[1200], flags[64] = "[-";
	size_t nf = 2;
	fprintf(fp, "usage: %s", t->name);
	l.col = l.indent - 1;
	/* letters without an argument together, as "[-qv]" */
	for (const opts_opt *o = t->opt; o->name; o++)
		if (o->letter && !o->spell_long && !o->arg && !o->needs && !o->group && !o->required &&
		    nf < 60)
			flags[nf++] = (char)o->letter;
	if (nf > 2) {
		flags[nf++] = ']', flags[nf] = 0;
		opts_item(&l, flags);
	}
	for (const opts_opt *o = t->opt; o->name; o++) {
		if (o->needs || (o->letter && !o->spell_long && !o->arg && !o->group && !o->required))
			continue;
		if (o->group && o > t->opt && o[-1].group == o->group)
			continue;
		if (!o->group) {
			opts_item_text(t, o, buf, sizeof buf, 0);
			opts_item(&l, buf);
			continue;
		}
		/* alternatives: "(--mots FILE | --png DIR)", or in brackets when optional */
		size_t k = (size_t)snprintf(buf, sizeof buf, "%s", o->required ? "(" : "[");
		for (const opts_opt *g = o; g->name && g->group == o->group; g++) {
			char me[120];
			opts_spell(g, 1, me, sizeof me);
			if (k < sizeof buf)
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", g == o ? "" : " | ", me);
		}
		if (k < sizeof buf)
			snprintf(buf + k, sizeof buf - k, "%s", o->required ? ")" : "]");
		opts_item(&l, buf);
	}
	if (t->operands && *t->operands)
		opts_item(&l, t->operands);
	fputc('\n', fp);
}

/* "  -o, --output FILE   help (default X)", the help wrapped under itself. */
static void opts_help_line(FILE *fp, const char *left, const char *help, const char *def)
{
	char text[600];
	snprintf(text, sizeof text, "%s%s%s%s", help ? help : "", def && *def ? " (default " : "",
		 def && *def ? def : "", def && *def ? ")" : "");
	int col = (int)strlen(left);
	fputs(left, fp);
	if (col > OPTS_COL - 2) {
		fputc('\n', fp);
		col = 0;
	}
	const char *p = text;
	while (*p) {
		size_t w = strcspn(p, " ");
		if (col > OPTS_COL && col + 1 + (int)w > OPTS_WIDTH) {
			fputc('\n', fp);
			col = 0;
		}
		fprintf(fp, "%*s%.*s", col < OPTS_COL ? OPTS_COL - col : 1, "", (int)w, p);
		col = (col < OPTS_COL ? OPTS_COL : col + 1) + (int)w;
		p += w;
		p += strspn(p, " ");
	}
	fputc('\n', fp);
}

void opts_help(const opts_tool *t, FILE *fp)
{
	char left[160];
	opts_usage(t, fp);
	if (t->about)
		fprintf(fp, "%s\n", t->about);
	fputs("\noptions:\n", fp);
	for (const opts_opt *o = t->opt; o->name; o++) {
		int k = o->letter ? snprintf(left, sizeof left, "  -%c, --%s", o->letter, o->name)
				  : snprintf(left, sizeof left, "      --%s", o->name);
		if (o->arg)
			snprintf(left + k, sizeof left - (size_t)k, " %s", o->arg);
		opts_help_line(fp, left, o->help, o->def ? o->def : o->shown);
	}
	opts_help_line(fp, "  -h, --help", "print this help and exit", NULL);
	opts_help_line(fp, "      --version", "print the version and exit", NULL);
}

void opts_version(const opts_tool *t, FILE *fp)
{
	fprintf(fp, "%s (usc-mots) %s\n", t->name, version_text());
}
