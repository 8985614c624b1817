/*
 * seccomp.h — rrun's default syscall filter (Docker's default seccomp profile), see seccomp.c.
 */
#ifndef RRUN_SECCOMP_H
#define RRUN_SECCOMP_H

#include <stddef.h>

/*
 * Installs the default filter on the calling thread (needs CAP_SYS_ADMIN or no_new_privs).
 * Returns 0, or an errno value with a short description of what failed in why.
 */
int seccomp_install_default(char *why, size_t why_size);

#endif
