package dev.jbuild.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Extracts the bundled rrun helper to {@code stateDir/bin/rrun-<sha256>} and verifies it. */
final class RrunBinary {
  static final String RESOURCE = "native/rrun";

  private RrunBinary() {}

  static Path extract(Path stateDir) throws RunnerException {
    byte[] bytes;
    try (InputStream in = RrunBinary.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new RunnerException("Tried to find the bundled container helper rrun but failed "
            + "because: it is not on the class path (the runner jar was built without gcc?)");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new RunnerException("Tried to read the bundled container helper but failed because: "
          + e.getMessage(), e);
    }
    String hash = sha256(bytes);
    Path bin = stateDir.resolve("bin");
    Path target = bin.resolve("rrun-" + hash);
    try {
      if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(hash)) {
        return target;
      }
      // Missing or corrupt: write a fresh copy next to it and move it into place atomically,
      // so concurrent runners never execute a half-written file.
      Files.createDirectories(bin);
      Path tmp = Files.createTempFile(bin, "rrun-", ".tmp");
      try {
        Files.write(tmp, bytes);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      return target;
    } catch (IOException e) {
      throw new RunnerException("Tried to install the container helper at " + target
          + " but failed because: " + e + ". Check that " + stateDir + " is writable.", e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
