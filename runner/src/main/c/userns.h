/*
 * userns.h — rrun's "enter a user namespace" mode (rootless jbuild), see userns.c.
 */
#ifndef RRUN_USERNS_H
#define RRUN_USERNS_H

/*
 * rrun userns STATUS_PATH UID_MAP GID_MAP -- COMMAND [ARG...]
 *
 * Runs COMMAND as uid/gid 0 of a new user namespace (and a new, private mount namespace) whose
 * id maps newuidmap/newgidmap wrote from UID_MAP/GID_MAP ("inner outer count ..." triples, as
 * those tools take them). Returns only on failure, with the exit code to use; a setup failure is
 * also reported as one {"error":...} line in STATUS_PATH, which stays empty when COMMAND starts.
 */
int userns_main(int argc, char **argv);

#endif
