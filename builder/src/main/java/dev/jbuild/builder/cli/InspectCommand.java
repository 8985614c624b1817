package dev.jbuild.builder.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.builder.template.Template;
import dev.jbuild.builder.template.TemplateException;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.LayerSizes;
import dev.jbuild.layerstore.image.RepoDigests;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.OciJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild inspect IMAGE...}: a JSON array in the shape of {@code docker image inspect}
 * (Id, RepoTags, RepoDigests, Parent, Comment, Created, Author, Config, Architecture, Variant,
 * Os, Size, RootFS, Metadata), or {@code -f} with a Go template run on the same data shaped as
 * docker's structs ({@link InspectData}): an unknown field or function is an error (exit 1, or 2
 * when the template does not parse), as in docker.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Display detailed information on one or more images.")
final class InspectCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
      description = "Format the output with a Go template, as docker does:"
          + " '{{index .RepoDigests 0}}', '{{range .Config.Env}}{{println .}}{{end}}',"
          + " '{{json .Config}}'.")
  String format;

  @Option(names = "--platform", paramLabel = "OS/ARCH",
      description = "For a multi-platform image (an index): the platform's image (default:"
          + " this machine's).")
  String platform;

  @Parameters(arity = "1..*", paramLabel = "IMAGE") List<String> images;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    List<String> missing = new ArrayList<>();
    for (String name : images) {
      Image image;
      try {
        image = session.image(name, platform == null ? null
            : dev.jbuild.layerstore.oci.Platform.parse(platform));
      } catch (IOException e) {
        missing.add(name);
        continue;
      }
      array.add(describe(session, image));
    }
    if (format != null) {
      try {
        Template template = Template.parse(format);
        for (JsonNode node : array) {
          out.println(template.execute(InspectData.image(node)));
        }
      } catch (TemplateException e) {
        out.flush();
        err.println("error: " + (e.isParseError() ? "template parsing error: " : "")
            + ErrorHandler.printable(e.getMessage()));
        err.flush();
        return e.isParseError() ? 2 : 1;
      }
    } else if (array.isEmpty()) {
      out.println("[]");
    } else {
      DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
          .withObjectIndenter(new DefaultIndenter("    ", "\n"))
          .withArrayIndenter(new DefaultIndenter("    ", "\n"));
      ArrayNode shaped = JsonNodeFactory.instance.arrayNode();
      array.forEach(n -> shaped.add(dockerShape((ObjectNode) n)));
      out.println(OciJson.mapper().writer(pretty).writeValueAsString(shaped)
          .replace("\" : ", "\": "));
    }
    out.flush();
    for (String name : missing) {
      err.println("error: No such image: " + name);
    }
    err.flush();
    return missing.isEmpty() ? 0 : 1;
  }

  static ObjectNode describe(Session session, Image image) throws IOException {
    JsonNode config = OciJson.mapper().readTree(image.configBytes());
    List<String> repoTags = new ArrayList<>();
    Set<String> repoDigests = new LinkedHashSet<>(
        new RepoDigests(session.store.root()).of(image.manifestDigest()));
    for (TaggedImage t : session.store.images().list()) {
      Digest id;
      try {
        id = session.store.images().load(t.manifest().digest()).id();
      } catch (IOException e) {
        continue;
      }
      if (id.equals(image.id())) {
        repoTags.add(t.reference().familiar());
      }
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("Id", image.id().toString());
    repoTags.forEach(node.putArray("RepoTags")::add);
    repoDigests.forEach(node.putArray("RepoDigests")::add);
    node.put("Parent", "");
    node.put("Comment", comment(config));
    node.put("Created", rfc3339Nano(config.path("created").asText("")));
    node.put("DockerVersion", config.path("docker_version").asText(""));
    node.put("Author", config.path("author").asText(""));
    node.set("Config", config.has("config") ? config.get("config")
        : JsonNodeFactory.instance.objectNode());
    node.put("Architecture", config.path("architecture").asText(""));
    if (config.hasNonNull("variant")) {
      node.put("Variant", config.get("variant").asText());
    }
    node.put("Os", config.path("os").asText(""));
    long size = LayerSizes.imageSize(session.store.content(), image);
    node.put("Size", size);
    node.put("VirtualSize", size);
    ObjectNode rootfs = node.putObject("RootFS");
    rootfs.put("Type", "layers");
    ArrayNode layers = rootfs.putArray("Layers");
    for (Digest d : image.config().rootfs().diffIds()) {
      layers.add(d.toString());
    }
    ObjectNode metadata = node.putObject("Metadata");
    metadata.put("LastTagTime", "0001-01-01T00:00:00Z");
    ObjectNode descriptor = node.putObject("Descriptor");
    descriptor.put("mediaType", image.manifestDescriptor().mediaType());
    descriptor.put("digest", image.manifestDigest().toString());
    descriptor.put("size", image.manifestDescriptor().size());
    return node;
  }

  /** docker 20.10's {@code container.Config} fields in order; the omitempty ones by name. */
  private static final List<String> CONFIG_FIELDS = List.of("Hostname", "Domainname", "User",
      "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts", "Tty", "OpenStdin",
      "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
      "Entrypoint", "NetworkDisabled", "MacAddress", "OnBuild", "Labels", "StopSignal",
      "StopTimeout", "Shell");
  private static final Set<String> OMIT_EMPTY = Set.of("ExposedPorts", "Healthcheck",
      "ArgsEscaped", "NetworkDisabled", "MacAddress", "StopSignal", "StopTimeout", "Shell");

  /**
   * The printed form, as a docker 20.10 daemon prints an image: {@code Container} and {@code
   * ContainerConfig} after {@code Created}, and both configs as Go's {@code container.Config}
   * marshals them (every field, zero values included). Templates ({@code -f}) get the data
   * unchanged: {@link InspectData} shapes it as docker's structs.
   */
  static ObjectNode dockerShape(ObjectNode node) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    node.fields().forEachRemaining(e -> {
      if (e.getKey().equals("Config")) {
        out.set("Config", containerConfig(e.getValue()));
      } else {
        out.set(e.getKey(), e.getValue());
      }
      if (e.getKey().equals("Created")) {
        out.put("Container", "");
        out.set("ContainerConfig", containerConfig(JsonNodeFactory.instance.objectNode()));
      }
    });
    return out;
  }

  private static ObjectNode containerConfig(JsonNode config) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String f : CONFIG_FIELDS) {
      JsonNode v = config.get(f);
      if (v != null && !v.isNull()) {
        out.set(f, v);
      } else if (!OMIT_EMPTY.contains(f)) {
        switch (f) {
          case "Hostname", "Domainname", "User", "Image", "WorkingDir" -> out.put(f, "");
          case "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce" ->
              out.put(f, false);
          default -> out.putNull(f);
        }
      }
    }
    // Fields docker's struct does not have are kept, so nothing the image says is hidden.
    config.fields().forEachRemaining(e -> {
      if (!out.has(e.getKey())) {
        out.set(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  /**
   * The time as Go's {@code RFC3339Nano} writes it (docker re-encodes the config's time): no
   * trailing zeros in the fraction, and no fraction when it is zero.
   */
  static String rfc3339Nano(String time) {
    return time.replaceFirst("(T\\d\\d:\\d\\d:\\d\\d\\.\\d*?)0+(?=\\D|$)", "$1")
        .replaceFirst("(T\\d\\d:\\d\\d:\\d\\d)\\.(?=\\D|$)", "$1");
  }

  private static String comment(JsonNode config) {
    JsonNode history = config.path("history");
    if (history.isArray() && history.size() > 0) {
      return history.get(history.size() - 1).path("comment").asText("");
    }
    return "";
  }
}
