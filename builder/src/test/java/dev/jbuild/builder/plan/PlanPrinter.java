package dev.jbuild.builder.plan;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.parser.ast.GoStrings;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes a plan as the text of {@code plans/<case>/expected-plan.txt}: every stage and step with
 * what execution will get. The config is printed when a step changes it, so a diff of two plans
 * shows semantic changes line by line.
 */
final class PlanPrinter {
  private final StringBuilder out = new StringBuilder();
  private ContainerConfig lastConfig;
  private String lastAuthor;

  static String print(BuildPlan plan) {
    PlanPrinter p = new PlanPrinter();
    for (StagePlan stage : plan.stages()) {
      p.stage(stage);
    }
    return p.out.toString();
  }

  private void stage(StagePlan stage) {
    out.append("stage ").append(stage.index());
    if (stage.name() != null) {
      out.append(" name=").append(stage.name());
    }
    out.append(" cache=").append(stage.useCache()).append(" reads=")
        .append(new java.util.TreeSet<>(stage.dependencies())).append('\n');
    lastConfig = null;
    lastAuthor = null;
    step(stage.from());
    stage.steps().forEach(this::step);
  }

  private void step(Step step) {
    StepHeader h = step.header();
    out.append("  ").append(kind(step)).append(h.numbered() ? "" : " (unnumbered)")
        .append(" line ").append(h.line()).append(": ").append(h.label()).append('\n');
    if (h.createdBy() != null) {
      field("history", h.createdBy());
    }
    if (step instanceof FromBaseStep from) {
      field("base", from.base().toString());
    } else if (step instanceof RunCommandStep run) {
      field("argv", GoStrings.quoteList(run.argv()));
      field("env", GoStrings.quoteList(run.env()));
      field("user", GoStrings.quote(run.user()) + " workdir " + run.workingDir() + " network "
          + run.network());
      for (RunMount m : run.mounts()) {
        field("mount", m.canonical() + " origin " + m.origin().describe());
      }
      if (run.script() != null) {
        field("script", run.script().name() + " " + GoStrings.quote(run.script().content()));
      }
      key(run.cacheKey());
    } else if (step instanceof CopyFilesStep copy) {
      field("origin", copy.origin().describe() + " sources " + copy.sources() + " urls "
          + copy.urls());
      for (InlineFile f : copy.inlineFiles()) {
        field("inline", f.name() + " " + GoStrings.quote(f.content()));
      }
      field("dest", copy.destination() + " chown " + copy.chown() + " chmod " + copy.chmod()
          + " link " + copy.link() + " parents " + copy.parents() + " checksum "
          + copy.checksum() + " exclude " + copy.excludes());
      key(copy.cacheKey());
    } else if (step instanceof MakeWorkdirStep workdir) {
      field("mkdir", workdir.directory() + " owner " + GoStrings.quote(workdir.user()));
      key(workdir.cacheKey());
    }
    if (!Objects.equals(h.config(), lastConfig)) {
      field("config", new String(OciJson.toBytes(h.config()), StandardCharsets.UTF_8));
      lastConfig = h.config();
    }
    if (!Objects.equals(h.author(), lastAuthor)) {
      field("author", h.author());
      lastAuthor = h.author();
    }
  }

  private void field(String name, String value) {
    out.append("    ").append(name).append(": ").append(value).append('\n');
  }

  private void key(String key) {
    out.append("    key:\n");
    for (String line : key.split("\n", -1)) {
      if (!line.isEmpty()) {
        out.append("      | ").append(line).append('\n');
      }
    }
  }

  private static String kind(Step step) {
    return step.getClass().getSimpleName();
  }
}
