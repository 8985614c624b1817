package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.gc.VerifyReport;
import dev.jbuild.layerstore.gc.Verifier;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild verify [--repair]}: re-hashes every blob, checks every image and unpacked layer
 * against its record, and reports; exit code 0 when the store is clean, 1 when problems remain.
 * {@code --repair} removes corrupt blobs, damaged snapshots, broken images' tags and leftovers.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check the store: re-hash blobs, check images and unpacked layers; --repair"
        + " removes what is corrupt.")
final class VerifyCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = "--repair", description = "Remove corrupt blobs, damaged unpacked layers,"
      + " broken images and leftovers of interrupted work.")
  boolean repair;

  @Option(names = {"-q", "--quiet"}, description = "Only print problems.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    PrintWriter out = spec.commandLine().getOut();
    VerifyReport report = new Verifier(session.store).verify(repair, line -> {
      if (!quiet) {
        out.println(line);
        out.flush();
      }
    });
    for (String problem : report.problems()) {
      out.println("problem: " + problem);
    }
    for (String fix : report.repaired()) {
      out.println("repaired: " + fix);
    }
    if (!report.leftovers().isEmpty() && !quiet) {
      out.println(report.leftovers().size() + " leftovers of interrupted work (harmless; removed"
          + " by jbuild prune or jbuild verify --repair)");
    }
    boolean remaining = !report.clean() && !repair;
    if (!quiet || remaining) {
      out.println(report.clean() ? "Store is clean: " + report.blobsChecked() + " blobs, "
          + report.imagesChecked() + " images, " + report.snapshotsChecked() + " snapshots checked"
          : repair ? report.problems().size() + " problems found and repaired"
          : report.problems().size() + " problems found; run jbuild verify --repair to remove"
              + " what is corrupt");
    }
    out.flush();
    return remaining ? 1 : 0;
  }
}
