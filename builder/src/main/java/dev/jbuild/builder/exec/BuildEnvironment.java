package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.BuildCache;
import dev.jbuild.builder.context.ChecksumCache;
import dev.jbuild.builder.context.FileSource;
import dev.jbuild.builder.event.BuildListener;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.diff.LayerOptions;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * What every stage of one build shares.
 *
 * @param store the layer store
 * @param runner runs RUN steps
 * @param bases resolves FROM and {@code --from} images
 * @param options what execution needs of the build's request
 * @param listener progress events
 * @param clock the time written into history and config
 * @param cache the build cache
 * @param checksums file hashes of the context, kept across builds
 * @param context the build context ({@code .dockerignore} applied)
 * @param layerOptions how layers are written (compression, SOURCE_DATE_EPOCH clamping)
 */
public record BuildEnvironment(
    LayerStore store,
    RunnerSource runner,
    BaseImageSource bases,
    BuildOptions options,
    BuildListener listener,
    Supplier<Instant> clock,
    BuildCache cache,
    ChecksumCache checksums,
    FileSource context,
    LayerOptions layerOptions) {}
