/* The builtins: cd [DIR | -], pwd, exit [N], export [NAME[=value]...],
 * unset NAME...  A builtin that is a whole command runs in the shell
 * itself, with descriptors 0-2 as the command's redirections say; one in
 * a pipeline of more, in a child sh (main.c's start_subshell). */
#include "shell.h"

static int builtin_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : var_get("HOME");
	char old[PATH_MAX], now[PATH_MAX];
	if (argc > 2) {
		complain("cd: too many arguments");
		return 1;
	}
	int back = dir && strcmp(dir, "-") == 0;
	if (back && !(dir = var_get("OLDPWD"))) {
		complain("cd: OLDPWD not set");
		return 2;
	}
	if (!dir || !dir[0])
		dir = "/";
	if (!getcwd(old, sizeof old))
		old[0] = 0;
	if (chdir(dir) < 0) {
		complain("cd: %s: %s", dir, strerror(errno));
		return 2;               /* as dash says it */
	}
	char nv[PATH_MAX + 8];
	if (old[0]) {
		snprintf(nv, sizeof nv, "OLDPWD=%s", old);
		var_set(nv, 0);
	}
	if (getcwd(now, sizeof now)) {
		snprintf(nv, sizeof nv, "PWD=%s", now);
		var_set(nv, 0);
		if (back)
			printf("%s\n", now);    /* as dash's cd - does */
	}
	return 0;
}

static int builtin_pwd(int argc, char **argv)
{
	char buf[PATH_MAX];
	(void)argc;
	(void)argv;
	if (!getcwd(buf, sizeof buf)) {
		complain("pwd: %s", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

static int builtin_exit(int argc, char **argv)
{
	int code = status;
	if (argc > 1) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (!argv[1][0] || *end) {
			complain("exit: %s: not a number", argv[1]);
			code = 2;
		} else {
			code = (int)(n & 0xff);
		}
	}
	exit(code);
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int builtin_export(int argc, char **argv)
{
	int r = 0;
	if (argc == 1)
		vars_print_exported();
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!valid_name(argv[i], n)) {
			complain("export: %s: bad variable name", argv[i]);
			r = 2;
		} else if (eq) {
			r |= var_set(argv[i], 1) < 0;
		} else {
			var_export(argv[i]);
		}
	}
	return r;
}

static int builtin_unset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		var_unset(argv[i]);
	return 0;
}

builtin_fn *find_builtin(const char *name)
{
	static const struct {
		const char *name;
		builtin_fn *run;
	} builtins[] = {
		{ "cd", builtin_cd }, { "pwd", builtin_pwd }, { "exit", builtin_exit },
		{ "export", builtin_export }, { "unset", builtin_unset },
	};
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(name, builtins[i].name) == 0)
			return builtins[i].run;
	return NULL;
}
