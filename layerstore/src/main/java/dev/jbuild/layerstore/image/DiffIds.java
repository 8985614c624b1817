package dev.jbuild.layerstore.image;

import dev.jbuild.layerstore.content.ContentStore;
import dev.jbuild.layerstore.content.LayerInfo;
import dev.jbuild.layerstore.hash.DigestingInputStream;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.tar.SafeTarExtractor;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The DiffID of a stored layer blob: the digest of its uncompressed tar, which an image's config
 * lists in {@code rootfs.diff_ids}. The one place that decompresses a stored blob to learn it, for
 * {@code load}, {@code pull}, {@code verify} and image sizes.
 *
 * <p>Trust: a {@link LayerInfo} record is only ever written from a DiffID computed over the blob's
 * bytes (diff, import, load, unpack, and {@link #measure} here), and blobs are content-addressed,
 * so a record is as good as recomputing as long as the blob itself is intact. {@link #of} uses the
 * record when there is one; {@link #measure} always recomputes (and verifies the blob's own digest
 * on the way). Thread-safe (stateless).
 */
public final class DiffIds {
  private DiffIds() {}

  /**
   * The blob's DiffID: from its {@link LayerInfo} record if it has one, else {@link #measure}d.
   *
   * @throws IOException if the blob is missing, corrupt or not a (compressed) tar
   */
  public static Digest of(ContentStore content, Digest blob) throws IOException {
    Optional<LayerInfo> known = content.layerInfo(blob);
    if (known.isPresent() && known.get().blob().equals(blob)) {
      return known.get().diffId();
    }
    return measure(content, blob).diffId();
  }

  /**
   * Reads the whole blob once, decompressing it (gzip, zstd, xz, bzip2 or plain), and records and
   * returns what it learnt: DiffID, tar size and Docker's content size. Reading to the end also
   * checks the blob against its own digest, and every entry with
   * {@link SafeTarExtractor#checkStatically}, so an untrusted layer with {@code ..} or absolute
   * names is refused here, before its image is tagged.
   *
   * @throws IOException if the blob is missing, corrupt or not a (compressed) tar
   * @throws dev.jbuild.layerstore.tar.UnsafeTarEntryException if an entry is unsafe by its name
   */
  public static LayerInfo measure(ContentStore content, Digest blob) throws IOException {
    long files = 0;
    DigestingInputStream plain;
    try (InputStream in = content.open(blob)) {
      plain = new DigestingInputStream(TarStreams.decompress(in));
      TarReader reader = new TarReader(plain);
      TarEntry entry;
      while ((entry = reader.next()) != null) {
        SafeTarExtractor.checkStatically(entry);
        files += entry.diskSize();
      }
      plain.transferTo(OutputStream.nullOutputStream());
      in.transferTo(OutputStream.nullOutputStream()); // verifies the blob digest
    }
    LayerInfo info = new LayerInfo(blob, plain.digest(), plain.size(), files);
    content.putLayerInfo(info);
    return info;
  }

  /**
   * The one-line complaint for a layer whose content does not match the config, naming the layer
   * blob, the DiffID the config expects and the one its content has.
   */
  public static String mismatch(Digest blob, Digest expected, Digest actual) {
    return "layer " + blob + " has DiffID " + actual + " but the image config's rootfs.diff_ids"
        + " says " + expected;
  }
}
