/* A boot configuration as GRUB and then GNU Mach's boot script read it:
 * GRUB's quoting first, then the kernel's words, ${var} and $(func). */
#ifndef BOOTSCRIPT_H
#define BOOTSCRIPT_H

#define BS_MAX_MODULES 32
#define BS_MAX_ARGS    64
#define BS_MAX_DIAGS   64
#define BS_MAX_VARS    32

/* One argument a program will see: literal text, and the variable whose
 * value the kernel appends to it (NULL when none). */
struct bs_arg {
	char *text;
	char *var;
};

struct bs_module {
	int line;
	char *file;                    /* the module's path, /bin/NAME */
	char *name;                    /* argv[0] */
	struct bs_arg args[BS_MAX_ARGS];
	int nargs;
	int creates;                   /* number of $(task-create) */
	char *task_var;                /* NAME of $(NAME=task-create) */
	int kernel_resumes;            /* number of $(task-resume), $(prompt-task-resume) */
};

struct bs_diag {
	int line;
	char msg[240];
};

struct bs_config {
	const char *path;
	char *kernel;
	int kernel_line;
	char *vars[BS_MAX_VARS];       /* NAME=value words of the multiboot line */
	int nvars;
	struct bs_module mods[BS_MAX_MODULES];
	int nmods;
	struct bs_diag diags[BS_MAX_DIAGS];
	int ndiags;
	struct bs_diag warns[BS_MAX_DIAGS];   /* boots, but probably not as meant */
	int nwarns;
};

/* Reads PATH (a grub.cfg or bare multiboot/module lines): of a grub.cfg with
 * menu entries, the lines of the ENTRY-th (from 1), each entry being a boot
 * of its own.  Syntax errors land in CFG->diags.  Returns the number of menu
 * entries in PATH (0 for bare lines), -1 when the file cannot be read. */
int bs_read(const char *path, struct bs_config *cfg, int entry);
void bs_diag(struct bs_config *cfg, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void bs_warn(struct bs_config *cfg, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Kernel-predefined variables and their kind. */
enum bs_kind { BS_UNDEFINED, BS_PORT, BS_STRING, BS_TASK };
enum bs_kind bs_predefined(const char *name);

#endif
