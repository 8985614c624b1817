package dev.jbuild.builder.plan;

import dev.jbuild.builder.context.Chmod;
import java.util.List;

/**
 * COPY or ADD: files from the context, a stage or an image, here-documents and (ADD) URLs, written
 * over the stage's layers.
 *
 * @param header label, line, history ({@code COPY a b /dst/ # buildkit}) and config
 * @param add whether this is ADD (URLs allowed, local archives extracted)
 * @param origin where {@code sources} are read
 * @param sources source paths or patterns, expanded
 * @param inlineFiles here-document sources
 * @param urls ADD's http(s) sources
 * @param destination the absolute destination; a trailing {@code /} means a directory
 * @param chown {@code --chown} as written after expansion, or null
 * @param chmod {@code --chmod}, or null
 * @param link {@code --link}: the layer does not depend on the layers below
 * @param parents {@code --parents}
 * @param checksum ADD {@code --checksum}, or null
 * @param excludes {@code --exclude} patterns
 * @param unpack ADD {@code --unpack}: null for the default (local archives are extracted, URLs
 *     are not), else whether to extract
 * @param cacheKey the static part of the step's cache key
 */
public record CopyFilesStep(StepHeader header, boolean add, FileOrigin origin,
    List<String> sources, List<InlineFile> inlineFiles, List<String> urls, String destination,
    String chown, Chmod chmod, boolean link, boolean parents, String checksum,
    List<String> excludes, Boolean unpack, String cacheKey) implements Step {
  /** Copies. */
  public CopyFilesStep {
    sources = List.copyOf(sources);
    inlineFiles = List.copyOf(inlineFiles);
    urls = List.copyOf(urls);
    excludes = List.copyOf(excludes);
  }

  /** Whether a local archive source is extracted (ADD without {@code --unpack=false}). */
  public boolean unpackLocal() {
    return add && !Boolean.FALSE.equals(unpack);
  }

  /** Whether a downloaded archive is extracted (ADD {@code --unpack=true}). */
  public boolean unpackUrls() {
    return add && Boolean.TRUE.equals(unpack);
  }

  /** {@code ADD} or {@code COPY}. */
  public String keyword() {
    return add ? "ADD" : "COPY";
  }

  /**
   * Whether the layer is written over an empty tree. BuildKit quirk: {@code --link} is ignored
   * when {@code --chmod} is set.
   */
  public boolean independentOfLower() {
    return link && chmod == null;
  }
}
