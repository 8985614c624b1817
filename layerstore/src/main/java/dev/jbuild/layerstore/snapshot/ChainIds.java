package dev.jbuild.layerstore.snapshot;

import dev.jbuild.layerstore.oci.Digest;
import java.util.ArrayList;
import java.util.List;

/**
 * ChainIDs ({@code config.md}, containerd {@code identity/chainid.go}): {@code ChainID(L0) =
 * DiffID(L0)}, {@code ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln))}, hashed over
 * the ASCII text of the two digests. A ChainID names a layer applied on top of an exact stack, so
 * it is the key of an unpacked snapshot.
 */
public final class ChainIds {
  private ChainIds() {}

  /** The ChainID of every prefix of {@code diffIds} (base first); same length as the input. */
  public static List<Digest> of(List<Digest> diffIds) {
    List<Digest> chain = new ArrayList<>(diffIds.size());
    Digest previous = null;
    for (Digest diffId : diffIds) {
      previous = previous == null ? diffId : Digest.sha256(previous + " " + diffId);
      chain.add(previous);
    }
    return chain;
  }

  /** The ChainID of the whole stack; {@code diffIds} must not be empty. */
  public static Digest top(List<Digest> diffIds) {
    if (diffIds.isEmpty()) {
      throw new IllegalArgumentException("an empty layer stack has no ChainID");
    }
    List<Digest> chain = of(diffIds);
    return chain.get(chain.size() - 1);
  }
}
