package dev.jbuild.layerstore.oci;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * The platform an image runs on ({@code image-index.md}). Values are Go's GOOS/GOARCH names.
 *
 * @param architecture for example {@code amd64}
 * @param os for example {@code linux}
 * @param variant for example {@code v8}, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Platform(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("variant") String variant) {

  /** The platform of this machine in Go's naming ({@code linux/amd64} on x86_64). */
  public static Platform host() {
    String arch = System.getProperty("os.arch");
    String goArch =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64" -> "arm64";
          default -> arch;
        };
    return new Platform(goArch, "linux", null);
  }

  /**
   * Parses {@code os/arch[/variant]}.
   *
   * @throws IllegalArgumentException on a malformed platform string
   */
  public static Platform parse(String text) {
    String[] parts = text.split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "invalid platform '" + text + "': expected os/arch[/variant], for example linux/amd64");
    }
    return new Platform(parts[1], parts[0], parts.length == 3 ? parts[2] : null);
  }

  /**
   * The normalized form, as BuildKit reads platforms (containerd's {@code platforms.Normalize},
   * {@code platforms/database.go}, ported): Go's GOARCH names, arm64 without {@code v8}, arm
   * always with a variant; so {@code linux/aarch64} and {@code linux/arm64/v8} are {@code
   * linux/arm64}.
   */
  public Platform normalized() {
    Platform p = this;
    String os = p.os().toLowerCase(Locale.ROOT);
    String arch = p.architecture().toLowerCase(Locale.ROOT);
    String variant = p.variant() == null ? "" : p.variant().toLowerCase(Locale.ROOT);
    switch (arch) {
      case "i386" -> {
        arch = "386";
        variant = "";
      }
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if (variant.equals("v1")) {
          variant = "";
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if (variant.equals("8") || variant.equals("v8")) {
          variant = "";
        }
      }
      case "armhf" -> {
        arch = "arm";
        variant = "v7";
      }
      case "armel" -> {
        arch = "arm";
        variant = "v6";
      }
      case "arm" -> {
        if (variant.isEmpty() || variant.equals("7")) {
          variant = "v7";
        } else if (variant.matches("[5-8]")) {
          variant = "v" + variant;
        }
      }
      default -> { }
    }
    return new Platform(arch, os, variant.isEmpty() ? null : variant);
  }

  /** Returns {@code os/arch[/variant]}. */
  @JsonIgnore
  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
