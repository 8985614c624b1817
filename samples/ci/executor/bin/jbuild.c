/*
 * jbuild in the executor image: /jbuild/bin/jbuild, on the PATH. A static program rather than a
 * shell script, because an in-place build replaces the container's root filesystem with the image
 * it builds (FROM scratch leaves no /bin/sh at all), and a second `jbuild` in the same container
 * must still start. It execs the same command as the image's entrypoint: the JVM on jbuild's own
 * loader and glibc under /jbuild/lib, so it needs nothing of the root either.
 *
 * JBUILD_JAVA_OPTS adds JVM options (for example -Xmx2g), split at blanks as the shell split the
 * old script's unquoted ${JBUILD_JAVA_OPTS} (no quoting, no globbing). SerialGC: a command-line
 * tool with a short life and a small heap, as the repository's launcher.
 *
 * Built by prepare-context.sh: gcc -static -Os -o dirs/bin/jbuild bin/jbuild.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const before[] = {
    "/jbuild/lib/ld-linux-x86-64.so.2", "--library-path", "/jbuild/lib", "/jbuild/jre/bin/java",
    "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Djava.io.tmpdir=/jbuild/tmp",
    "-Djdk.lang.Process.launchMechanism=FORK"};
static const char *const after[] = {"-jar", "/jbuild/jbuild.jar"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(int argc, char **argv) {
  char *opts = getenv("JBUILD_JAVA_OPTS");
  opts = opts ? strdup(opts) : NULL;
  size_t words = 0;
  if (opts)
    for (char *p = opts; *p; p++)
      if (*p != ' ' && *p != '\t' && *p != '\n' && (p == opts || strchr(" \t\n", p[-1]))) words++;
  size_t n = COUNT(before) + words + COUNT(after) + (size_t)(argc > 0 ? argc - 1 : 0) + 1;
  char **args = calloc(n, sizeof *args);
  if (!args) {
    fputs("jbuild: out of memory\n", stderr);
    return 125;
  }
  size_t i = 0;
  for (size_t k = 0; k < COUNT(before); k++) args[i++] = (char *)before[k];
  if (opts)
    for (char *w = strtok(opts, " \t\n"); w; w = strtok(NULL, " \t\n")) args[i++] = w;
  for (size_t k = 0; k < COUNT(after); k++) args[i++] = (char *)after[k];
  for (int k = 1; k < argc; k++) args[i++] = argv[k];
  args[i] = NULL;
  execv(args[0], args);
  fprintf(stderr, "jbuild: Tried to start the JVM with %s but failed because: %s\n", args[0],
          strerror(errno));
  return 127;
}
