package dev.jbuild.builder.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jbuild.layerstore.fs.Trees;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Containers kept by {@code jbuild run} without {@code --rm}: {@code <root>/containers/<id>/}
 * holds {@code container.json} (a {@link Record}), and the overlay {@code upper/} and {@code
 * work/} dirs, i.e. the container's read-write layer, which {@code jbuild commit} turns into an
 * image layer and {@code jbuild rm} deletes. There is no daemon: a container is "running" while
 * the jbuild process that started it ({@link Record#ownerPid()}) lives.
 *
 * <p>Each container's file is only written by the process that owns it (or by rm), replaced
 * atomically, so concurrent jbuild processes never see a half-written record.
 */
public final class ContainerStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * What we know about one container.
   *
   * @param id 64 hex digits
   * @param image the image as the user named it
   * @param imageManifest the image's manifest digest ({@code sha256:...})
   * @param imageId the image ID (config digest)
   * @param entrypoint the entrypoint the container ran with (empty if none)
   * @param cmd the command (arguments after the entrypoint)
   * @param env the environment, {@code K=V}
   * @param workingDir the working directory
   * @param user the user, or empty for root
   * @param created when it was created (ISO-8601)
   * @param finished when it ended, or null while running
   * @param exitCode the exit code once it ended, or null
   * @param ownerPid the jbuild process that runs it
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Record(String id, String image, String imageManifest, String imageId,
      List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
      String created, String finished, Integer exitCode, long ownerPid) {

    /** This record, ended now with exit code {@code code}. */
    public Record finish(int code) {
      return new Record(id, image, imageManifest, imageId, entrypoint, cmd, env, workingDir,
          user, created, Instant.now().toString(), code, ownerPid);
    }

    /** True while the owning jbuild process still runs it. */
    public boolean running() {
      return finished == null && ProcessHandle.of(ownerPid).isPresent();
    }

    /** The first 12 hex digits of the ID, as docker prints it. */
    public String shortId() {
      return id.substring(0, 12);
    }

    /** Entrypoint plus cmd. */
    public List<String> command() {
      List<String> all = new ArrayList<>(entrypoint);
      all.addAll(cmd);
      return all;
    }
  }

  private final Path dir;

  /** The containers of the store at {@code storeRoot}. */
  public ContainerStore(Path storeRoot) {
    this.dir = storeRoot.resolve("containers");
  }

  /** Makes the directory of a new container with empty upper and work dirs and records it. */
  public Record create(String image, String imageManifest, String imageId, List<String> entrypoint,
      List<String> cmd, List<String> env, String workingDir, String user) throws IOException {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String id = HexFormat.of().formatHex(random);
    Path home = dir.resolve(id);
    Files.createDirectories(home.resolve("upper"));
    Files.createDirectories(home.resolve("work"));
    Record record = new Record(id, image, imageManifest, imageId, List.copyOf(entrypoint),
        List.copyOf(cmd), List.copyOf(env), workingDir, user, Instant.now().toString(), null,
        null, ProcessHandle.current().pid());
    save(record);
    return record;
  }

  /** The container's overlay upperdir: its read-write layer. */
  public Path upperDir(Record record) {
    return dir.resolve(record.id()).resolve("upper");
  }

  /** The overlay work dir beside {@link #upperDir}. */
  public Path workDir(Record record) {
    return dir.resolve(record.id()).resolve("work");
  }

  /** Replaces the record atomically. */
  public void save(Record record) throws IOException {
    Path home = dir.resolve(record.id());
    Path tmp = Files.createTempFile(home, "container", ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(record));
      try {
        Files.move(tmp, home.resolve("container.json"), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, home.resolve("container.json"), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Every container, newest first. */
  public List<Record> list() throws IOException {
    List<Record> records = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return records;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        try {
          records.add(JSON.readValue(entry.resolve("container.json").toFile(), Record.class));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
          // Being created or removed right now.
        }
      }
    }
    records.sort(Comparator.comparing(Record::created).reversed());
    return records;
  }

  /**
   * Finds a container by full ID or unique ID prefix, as docker does.
   *
   * @throws IOException "No such container: x", or an ambiguity
   */
  public Record find(String idOrPrefix) throws IOException {
    List<Record> matches = new ArrayList<>();
    for (Record r : list()) {
      if (r.id().equals(idOrPrefix)) {
        return r;
      }
      if (!idOrPrefix.isEmpty() && r.id().startsWith(idOrPrefix)) {
        matches.add(r);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new IOException("No such container: " + idOrPrefix);
    }
    throw new IOException("Multiple containers match the ID prefix " + idOrPrefix
        + "; give more characters");
  }

  /** Deletes the container's directory, read-write layer included. */
  public void remove(Record record) throws IOException {
    Trees.deleteRecursively(dir.resolve(record.id()));
  }
}
