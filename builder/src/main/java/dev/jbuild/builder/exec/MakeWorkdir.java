package dev.jbuild.builder.exec;

import dev.jbuild.builder.fs.FileAttrs;
import dev.jbuild.builder.fs.UpperDirWriter;
import dev.jbuild.builder.plan.MakeWorkdirStep;

/** Runs a planned WORKDIR: creates the directory and its parents, owned by the stage's USER. */
final class MakeWorkdir implements FilesystemStep {
  private final MakeWorkdirStep step;

  MakeWorkdir(MakeWorkdirStep step) {
    this.step = step;
  }

  @Override
  public String cacheKey() {
    return step.cacheKey();
  }

  @Override
  public void apply(Workspace ws) throws Exception {
    // BuildKit creates the directories owned by the stage's USER.
    int[] owner = step.user().isEmpty() ? new int[] {0, 0}
        : Ownership.resolve(step.user(), ws.lower());
    new UpperDirWriter(ws.scratch().upperDir(), ws.lower())
        .mkdirs(ws.lower().resolve(step.directory(), true),
            FileAttrs.newDirectory(owner[0], owner[1]));
  }
}
