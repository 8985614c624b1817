package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.builder.plan.NamedContext;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.tar.TarEntry;
import dev.jbuild.layerstore.tar.TarReader;
import dev.jbuild.layerstore.tar.TarStreams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code SOURCE_DATE_EPOCH} as a build argument and as the Dockerfile's global ARG default, resolved
 * as current BuildKit does (moby/buildkit {@code dockerfile_source_date_epoch_test.go}; the suite's
 * cases check the same on the real runner): what it fixes (config and history {@code created},
 * layer mtimes), what overrides what, the values that fail, and that the same inputs with the same
 * epoch give the same image ID. No root: {@link FakeCommandRunner}.
 */
class SourceDateEpochBuildTest {
  /** The builder's clock when there is no epoch: neither of the epochs below. */
  private static final Instant CLOCK = Instant.parse("2024-01-02T03:04:05Z");
  /** The context files' mtime: after every epoch used, so a clamp shows. */
  private static final FileTime FILE_TIME = FileTime.from(Instant.parse("2025-06-07T08:09:10Z"));
  private static final long EPOCH_2015 = 1445412480L; // 2015-10-21T07:28:00Z
  private static final long EPOCH_2023 = 1700000001L; // 2023-11-14T22:13:21Z

  @TempDir Path tmp;
  private LayerStore store;
  private final FakeCommandRunner runner = new FakeCommandRunner();

  @BeforeEach
  void baseImage() throws IOException {
    store = BuildFixture.storeWithBase(tmp.resolve("store"), BuildFixture.rootfs(tmp));
  }

  /** testSourceDateEpochWithoutExporter: the build arg fixes config and history times. */
  @Test
  void buildArg_fixesCreatedHistoryAndLayerMtimes() throws Exception {
    Image image = build("FROM scratch\nENTRYPOINT foo bar\nCOPY Dockerfile .\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", Long.toString(EPOCH_2023))));
    assertEquals("2023-11-14T22:13:21Z", image.config().created());
    assertEquals(2, image.config().history().size());
    for (ImageConfig.History h : image.config().history()) {
      assertEquals("2023-11-14T22:13:21Z", h.created(), h.createdBy());
    }
    assertEquals(EPOCH_2023, mtimes(top(image)).get("Dockerfile"));
  }

  /** testSourceDateEpochDockerfileDefault and ...DefaultOverride. */
  @Test
  void dockerfileDefault_isTheEpoch_andTheBuildArgOverridesIt() throws Exception {
    String dockerfile = "ARG SOURCE_DATE_EPOCH=" + EPOCH_2015 + "\nFROM scratch\nCOPY Dockerfile .\n";
    Image byDefault = build(dockerfile, r -> { });
    assertEquals("2015-10-21T07:28:00Z", byDefault.config().created());
    assertEquals(EPOCH_2015, mtimes(top(byDefault)).get("Dockerfile"));

    Image overridden = build(dockerfile,
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", Long.toString(EPOCH_2023))));
    assertEquals("2023-11-14T22:13:21Z", overridden.config().created());
    assertEquals(EPOCH_2023, mtimes(top(overridden)).get("Dockerfile"));
  }

  /** An empty build arg resets the default (BuildKit getBuildArgValue): real times, no clamp. */
  @Test
  void emptyBuildArg_resetsTheDefault() throws Exception {
    Image image = build("ARG SOURCE_DATE_EPOCH=" + EPOCH_2015 + "\nFROM scratch\nCOPY Dockerfile .\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "")));
    assertEquals(CLOCK.toString(), image.config().created());
    assertEquals(FILE_TIME.toInstant().getEpochSecond(), mtimes(top(image)).get("Dockerfile"));
  }

  /** The environment's value (the request's) is the build arg when none is given, as in buildx. */
  @Test
  void requestEpoch_beatsTheDefault_andLosesToTheBuildArg() throws Exception {
    String dockerfile = "ARG SOURCE_DATE_EPOCH=" + EPOCH_2015 + "\nFROM scratch\nCOPY Dockerfile .\n";
    assertEquals("2023-11-14T22:13:21Z",
        build(dockerfile, r -> r.sourceDateEpoch(EPOCH_2023)).config().created());
    assertEquals("2015-10-21T07:28:00Z", build(dockerfile, r -> r.sourceDateEpoch(EPOCH_2023)
        .buildArgs(Map.of("SOURCE_DATE_EPOCH", Long.toString(EPOCH_2015)))).config().created());
  }

  /** testSourceDateEpochContextLocalUnset: a local context has no time, so there is no epoch. */
  @Test
  void context_andNamedContexts_giveNoEpoch() throws Exception {
    Image fromContext = build("FROM scratch\nCOPY Dockerfile /\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "context")));
    assertEquals(CLOCK.toString(), fromContext.config().created());
    assertEquals(FILE_TIME.toInstant().getEpochSecond(), mtimes(top(fromContext)).get("Dockerfile"));

    Path other = Files.createDirectories(tmp.resolve("other"));
    Image fromNamed = build("ARG SOURCE_DATE_EPOCH=src\nFROM scratch\nCOPY Dockerfile /\n",
        r -> r.namedContext("src", NamedContext.parse(other.toString())));
    assertEquals(CLOCK.toString(), fromNamed.config().created());
  }

  /** A RUN that declares the ARG sees the resolved number, or nothing when there is no epoch. */
  @Test
  void run_seesTheResolvedValue() throws Exception {
    String dockerfile = "ARG SOURCE_DATE_EPOCH=+" + EPOCH_2015
        + "\nFROM base:1\nARG SOURCE_DATE_EPOCH\nRUN echo x$SOURCE_DATE_EPOCH > /epoch\n";
    build(dockerfile, r -> { });
    assertTrue(runner.specs().get(0).env().contains("SOURCE_DATE_EPOCH=" + EPOCH_2015),
        runner.specs().get(0).env().toString());

    build(dockerfile, r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "context")));
    assertTrue(runner.specs().get(1).env().stream().noneMatch(e -> e.startsWith("SOURCE_DATE_EPOCH")),
        runner.specs().get(1).env().toString());
  }

  /** testSourceDateEpochDockerfileDefaultInvalid, and the same through the build arg. */
  @Test
  void invalidValues_failWithBuildKitsMessage() {
    assertEquals("invalid SOURCE_DATE_EPOCH: not-a-timestamp", fails(
        "ARG SOURCE_DATE_EPOCH=not-a-timestamp\nFROM scratch\nCOPY Dockerfile .\n", r -> { }));
    assertEquals("invalid SOURCE_DATE_EPOCH: 12.5", fails("FROM scratch\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "12.5"))));
    // Beyond 64 bits, as Go's ParseInt: not a number, and no stage has that name.
    assertEquals("invalid SOURCE_DATE_EPOCH: 99999999999999999999", fails("FROM scratch\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "99999999999999999999"))));
    // Outside the years 0 to 9999 no JSON config can hold the time (Go's Time.MarshalJSON).
    for (String outside : List.of("-62167219201", "253402300800", "-9223372036854775808")) {
      assertEquals("invalid SOURCE_DATE_EPOCH: " + outside + " (the image's created time must be"
          + " in the years 0 to 9999: from -62167219200 to 253402300799)", fails(
          "FROM scratch\n", r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", outside))), outside);
    }
  }

  /**
   * A negative epoch is a time before 1970, as current BuildKit takes it ({@code strconv.ParseInt}
   * then {@code time.Unix}, exporter/util/epoch/parse.go): config and history say so, and layer
   * mtimes are clamped to it. A tar's octal ustar field cannot hold a negative mtime, so it is
   * written as Go's archive/tar writes one: a PAX {@code mtime} record and a ustar field of zeros
   * ({@code formatPAXTime}, and {@code formatOctal}'s "last resort, just write zero").
   */
  @Test
  void negativeEpoch_isATimeBefore1970_writtenAsGoWritesIt() throws Exception {
    Image image = build("FROM scratch\nCOPY Dockerfile .\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "-1")));
    assertEquals("1969-12-31T23:59:59Z", image.config().created());
    for (ImageConfig.History h : image.config().history()) {
      assertEquals("1969-12-31T23:59:59Z", h.created(), h.createdBy());
    }
    assertEquals(-1L, mtimes(top(image)).get("Dockerfile"));
    byte[] tar;
    try (InputStream blob = store.content().open(top(image).blob());
        InputStream in = TarStreams.decompress(blob)) {
      tar = in.readAllBytes();
    }
    String pax = null;
    String ustarMtime = null;
    for (int at = 0; at + 512 <= tar.length && tar[at] != 0; ) {
      String name = new String(tar, at, 100, StandardCharsets.US_ASCII).replace("\0", "");
      long size = Long.parseLong(new String(tar, at + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
      char type = (char) tar[at + 156];
      if (type == 'x') {
        pax = new String(tar, at + 512, (int) size, StandardCharsets.UTF_8);
      } else if (name.equals("Dockerfile")) {
        ustarMtime = new String(tar, at + 136, 12, StandardCharsets.US_ASCII);
        break;
      }
      at += 512 + (int) ((size + 511) / 512 * 512);
    }
    assertEquals("00000000000\0", ustarMtime, "the ustar mtime field");
    assertTrue(pax != null && pax.contains(" mtime=-1\n"), "the PAX records: " + pax);

    // The earliest time a config can hold is still a valid epoch.
    assertEquals("0000-01-01T00:00:00Z", build("FROM scratch\nCOPY Dockerfile .\n",
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", "-62167219200"))).config().created());
  }

  /** testSourceDateEpochStageInvalid and the other rules of a source-only stage (epoch.go). */
  @Test
  void stageThatIsNotSourceOnly_failsAtItsFromLine() {
    assertEquals("Dockerfile:3: SOURCE_DATE_EPOCH stage does not meet source-only requirements:"
        + " unsupported copy instruction", fails("\nARG SOURCE_DATE_EPOCH=mysource\n"
        + "FROM scratch AS mysource\nCOPY Dockerfile /Dockerfile\nFROM scratch\n", r -> { }));
    assertEquals("Dockerfile:2: SOURCE_DATE_EPOCH stage must use FROM scratch", fails(
        "ARG SOURCE_DATE_EPOCH=src\nFROM base:1 AS src\nFROM scratch\n", r -> { }));
    assertEquals("Dockerfile:2: SOURCE_DATE_EPOCH stage must contain exactly one remote ADD",
        fails("ARG SOURCE_DATE_EPOCH=SRC\nFROM scratch AS src\nARG X=1\nFROM scratch\n", r -> { }));
    assertEquals("Dockerfile:2: SOURCE_DATE_EPOCH stage must contain exactly one remote ADD",
        fails("ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD https://a.test/x.tar /\n"
            + "ADD https://a.test/y.tar /\nFROM scratch\n", r -> { }));
    assertEquals("Dockerfile:2: SOURCE_DATE_EPOCH stage source must be a single HTTP(S) or Git"
        + " ADD", fails("ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\nADD Dockerfile /\n"
            + "FROM scratch\n", r -> { }));
    assertEquals("Dockerfile:2: SOURCE_DATE_EPOCH stage must contain exactly one remote ADD"
        + " source", fails("ARG SOURCE_DATE_EPOCH=src\nFROM scratch AS src\n"
            + "ADD https://a.test/x https://a.test/y /\nFROM scratch\n", r -> { }));
    // A valid source-only stage: BuildKit would fetch it for its time; jbuild says it does not.
    String refused = fails("ARG SOURCE_DATE_EPOCH=src\nARG URL=https://a.test/x.tar\n"
        + "FROM scratch AS src\nADD $URL /\nFROM scratch\n", r -> { });
    assertTrue(refused.startsWith("Dockerfile:3: SOURCE_DATE_EPOCH from stage src: jbuild does not"),
        refused);
  }

  /** Same inputs and epoch give the same image ID, whatever the clock and the files' mtimes. */
  @Test
  void sameInputsAndEpoch_giveTheSameImageId() throws Exception {
    String dockerfile = "FROM base:1\nARG SOURCE_DATE_EPOCH\nCOPY Dockerfile /\nWORKDIR /app\n"
        + "RUN echo $SOURCE_DATE_EPOCH > /epoch\nENV A=b\n";
    Consumer<BuildRequest.Builder> epoch =
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", Long.toString(EPOCH_2023)));
    Image first = build(dockerfile, epoch);
    // A cold build at another time, the context's files touched: nothing may leak in.
    Files.setLastModifiedTime(tmp.resolve("context/Dockerfile"),
        FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    Image second = new ImageBuilder(store, runner, StoredBases.of(store),
        () -> Instant.parse("2030-01-01T00:00:00Z")).build(request(dockerfile, r -> {
          epoch.accept(r);
          r.noCache(true);
        }), BuildListener.NONE).image();
    assertEquals(first.id(), second.id());
    assertEquals(first.manifestDigest(), second.manifestDigest());
    Image other = build(dockerfile,
        r -> r.buildArgs(Map.of("SOURCE_DATE_EPOCH", Long.toString(EPOCH_2015))));
    assertNotEquals(first.id(), other.id());
  }

  private Image build(String dockerfile, Consumer<BuildRequest.Builder> options)
      throws Exception {
    return new ImageBuilder(store, runner, StoredBases.of(store), () -> CLOCK)
        .build(request(dockerfile, options), BuildListener.NONE).image();
  }

  private String fails(String dockerfile, Consumer<BuildRequest.Builder> options) {
    return assertThrows(BuildException.class, () -> build(dockerfile, options)).getMessage();
  }

  private BuildRequest request(String dockerfile, Consumer<BuildRequest.Builder> options)
      throws IOException {
    Path context = BuildFixture.context(tmp, dockerfile);
    Path file = context.resolve("Dockerfile");
    Files.setLastModifiedTime(file, FILE_TIME);
    BuildRequest.Builder request = BuildRequest.builder(context).dockerfile(file);
    options.accept(request);
    return request.build();
  }

  private static Layer top(Image image) {
    List<Layer> layers = image.layers();
    return layers.get(layers.size() - 1);
  }

  /** A layer's entries' mtimes by name (directories without their trailing slash). */
  private Map<String, Long> mtimes(Layer layer) throws IOException {
    Map<String, Long> mtimes = new HashMap<>();
    try (InputStream blob = store.content().open(layer.blob());
        TarReader tar = new TarReader(TarStreams.decompress(blob))) {
      for (TarEntry e = tar.next(); e != null; e = tar.next()) {
        String name = e.name().endsWith("/") ? e.name().substring(0, e.name().length() - 1)
            : e.name();
        mtimes.put(name, e.mtime());
      }
    }
    return mtimes;
  }
}
