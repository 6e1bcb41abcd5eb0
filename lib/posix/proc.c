/* Processes, through exec: spawn hands the child our root and working
 * directories, the ports of three of our descriptors and the PCI port;
 * waitpid and halt_machine are calls on our own process port. */
#include "posix_impl.h"

/* ENVP with PWD set to our working directory's path (the child's getcwd
 * starts from it), in one allocation that the caller frees. */
static char **env_with_pwd(char *const envp[])
{
	size_t n = 0, pwd_len = 4 + strlen(posix_cwd_path) + 1;
	while (envp && envp[n])
		n++;
	char **env = malloc((n + 2) * sizeof *env + pwd_len);
	if (!env)
		return NULL;
	char *pwd = (char *)(env + n + 2);
	snprintf(pwd, pwd_len, "PWD=%s", posix_cwd_path);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], "PWD=", 4) != 0)
			env[k++] = envp[i];
	env[k++] = pwd;
	env[k] = NULL;
	return env;
}

pid_t spawn_group(const char *path, char *const argv[], char *const envp[], const int fds[3],
                  pid_t pgroup)
{
	char full[PATH_MAX];
	if (posix_proc == MACH_PORT_NULL) {
		errno = ENOSYS;         /* not started by exec: nobody to ask */
		return -1;
	}
	if (!path || !path[0]) {
		errno = ENOENT;
		return -1;
	}
	if (snprintf(full, sizeof full, "%s%s", strchr(path, '/') ? "" : "/bin/", path) >= (int)sizeof full) {
		errno = ENAMETOOLONG;
		return -1;
	}
	mach_port_t ports[PROC_NPORTS] = { posix_root, posix_cwd, 0, 0, 0, posix_pci };
	struct proc_info info = { 0 };
	info.pgrp = pgroup < 0 ? 0 : pgroup == 0 ? PROC_PGRP_NEW : (uint32_t)pgroup;
	for (int i = 0; i < PROC_NFD; i++) {
		if (fds[i] < 0)
			continue;           /* the child's descriptor I stays closed */
		struct ofile *f = fd_get(fds[i]);
		if (!f)
			return -1;
		ports[PROC_PORT_FD0 + i] = f->port;
		info.fd_kind[i] = f->kind;
		info.fd_flags[i] = f->kind != PROC_FD_CONSOLE ? fd_fs_flags(f) : 0;
	}
	mach_port_t program;
	if (path_lookup(full, FS_O_READ, 0, &program) < 0)
		return -1;
	char **env = env_with_pwd(envp ? envp : environ);
	if (!env) {
		put_port(program);
		errno = ENOMEM;
		return -1;
	}
	int pid = 0;
	stdio_flush_all();      /* what we wrote comes before what the child writes */
	int r = proc_spawn(posix_proc, program, ports, &info, argv, env, &pid);
	free(env);
	put_port(program);
	return r < 0 ? posix_fail(r) : pid;
}

pid_t spawn_fds(const char *path, char *const argv[], char *const envp[], const int fds[3])
{
	return spawn_group(path, argv, envp, fds, -1);
}

pid_t spawn(const char *path, char *const argv[], char *const envp[])
{
	static const int fds[3] = { 0, 1, 2 };
	return spawn_fds(path, argv, envp, fds);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	if (options != 0 || pid < -1) {
		errno = EINVAL;         /* no WNOHANG, no process groups */
		return -1;
	}
	if (posix_proc == MACH_PORT_NULL) {
		errno = ECHILD;
		return -1;
	}
	int got = 0, st = 0, how = 0;
	int r = proc_wait(posix_proc, pid > 0 ? pid : 0, &got, &st, &how);
	if (r < 0)
		return posix_fail(r);
	if (status)
		*status = how == PROC_INTERRUPTED ? 0x100 | SIGINT
		        : how == PROC_KILLED ? 0x100 | SIGKILL : st & 0xff;
	return got;
}

int halt_machine(void)
{
	stdio_flush_all();
	sync();
	if (posix_proc == MACH_PORT_NULL) {
		errno = ENOSYS;
		return -1;
	}
	int r = proc_halt(posix_proc);
	return r < 0 ? posix_fail(r) : 0;
}
