package dev.jbuild.layerstore.gc;

import java.nio.file.Path;
import java.util.List;

/**
 * What a store check found.
 *
 * @param blobsChecked how many blobs were re-hashed
 * @param snapshotsChecked how many snapshots were checked against their records
 * @param imagesChecked how many images (tags and untagged) were checked
 * @param problems one line per problem (corrupt blob, broken image, damaged snapshot…); empty
 *     means the store is clean
 * @param repaired one line per repair made ({@code --repair}); empty otherwise
 * @param leftovers leftovers of interrupted work: harmless (never visible to readers), removed
 *     by prune and by repair
 */
public record VerifyReport(int blobsChecked, int snapshotsChecked, int imagesChecked,
    List<String> problems, List<String> repaired, List<Path> leftovers) {
  /** Copies. */
  public VerifyReport {
    problems = List.copyOf(problems);
    repaired = List.copyOf(repaired);
    leftovers = List.copyOf(leftovers);
  }

  /** True when no problem was found (leftovers are not problems). */
  public boolean clean() {
    return problems.isEmpty();
  }
}
