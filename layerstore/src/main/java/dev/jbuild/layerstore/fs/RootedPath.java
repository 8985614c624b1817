package dev.jbuild.layerstore.fs;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The one implementation of "resolve a path inside a root, following symlinks, never leaving the
 * root", for every tree jbuild reads or writes on behalf of an image or a build context (a layer
 * being extracted, a merged layer stack, a context directory).
 *
 * <p>Semantics are those of {@code openat2(RESOLVE_IN_ROOT)}, filepath-securejoin's {@code
 * SecureJoin} and BuildKit's copy resolution (the idea is ported, the code is jbuild's):
 *
 * <ul>
 *   <li>components are taken left to right; {@code .} and empty components are skipped;
 *   <li>{@code ..} removes the last component <em>resolved so far</em> (so it applies after the
 *       symlinks before it, as the kernel does); {@code ..} at the root stays at the root under
 *       {@link AboveRoot#CLAMP}, or fails under {@link AboveRoot#REFUSE};
 *   <li>a symlink is replaced by its target: an absolute target restarts at the root, a relative
 *       one continues from the symlink's directory; the same {@code ..} rule applies inside it;
 *   <li>more than {@code maxSymlinks} symlinks fail ({@code ELOOP}).
 * </ul>
 *
 * <p>The file system is reached only through a {@link Lookup}, so one rule serves a real
 * directory, a layer stack and a tree being extracted (which creates directories on the way).
 */
public final class RootedPath {
  /** What {@code ..} at the root does. */
  public enum AboveRoot {
    /** Stays at the root, as the kernel does at {@code /} (build contexts, container paths). */
    CLAMP,
    /**
     * Fails with {@link EscapeException}: for untrusted layer tars, where a symlink climbing
     * above the root is an attack to report rather than a path to repair.
     */
    REFUSE
  }

  /** Looks components up while a path is resolved. */
  @FunctionalInterface
  public interface Lookup {
    /**
     * Called for each component that is not {@code .} or {@code ..}.
     *
     * @param resolved the components resolved so far, the new one last (symlink-free before it)
     * @param last whether no component remains after this one
     * @return the symlink target when the component is a symlink to follow, else empty
     * @throws IOException to abort the resolution (for example a missing or non-directory
     *     component the caller refuses)
     */
    Optional<String> lookup(List<String> resolved, boolean last) throws IOException;
  }

  /** A resolution that failed: too many symlinks, or {@code ..} above the root under REFUSE. */
  public static final class EscapeException extends IOException {
    private static final long serialVersionUID = 1L;

    EscapeException(String message) {
      super(message);
    }
  }

  private final AboveRoot aboveRoot;
  private final int maxSymlinks;
  private final boolean followLast;

  private RootedPath(AboveRoot aboveRoot, int maxSymlinks, boolean followLast) {
    this.aboveRoot = aboveRoot;
    this.maxSymlinks = maxSymlinks;
    this.followLast = followLast;
  }

  /** Clamping resolution with Linux's 40-symlink limit ({@code MAXSYMLINKS}), last one followed. */
  public static RootedPath clamped() {
    return new RootedPath(AboveRoot.CLAMP, 40, true);
  }

  /** Refusing resolution with the given symlink limit, last one followed. */
  public static RootedPath refusing(int maxSymlinks) {
    return new RootedPath(AboveRoot.REFUSE, maxSymlinks, true);
  }

  /**
   * Returns a copy that does or does not follow a symlink in the last component ({@code
   * O_NOFOLLOW}); when not, {@link Lookup#lookup} is not called for the last component.
   */
  public RootedPath followingLast(boolean follow) {
    return new RootedPath(aboveRoot, maxSymlinks, follow);
  }

  /**
   * Resolves {@code path} (relative to the root; a leading {@code /} means the root too).
   *
   * @return the resolved components, free of symlinks except perhaps the last one when it is not
   *     followed, empty for the root itself
   * @throws EscapeException on too many symlinks, or {@code ..} above the root under REFUSE
   * @throws IOException what {@code lookup} throws
   */
  public List<String> resolve(String path, Lookup lookup) throws IOException {
    return resolve(components(path), lookup);
  }

  /** Resolves already split components; see {@link #resolve(String, Lookup)}. */
  public List<String> resolve(List<String> path, Lookup lookup) throws IOException {
    Deque<String> todo = new ArrayDeque<>(path);
    List<String> done = new ArrayList<>();
    int hops = 0;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        } else if (aboveRoot == AboveRoot.REFUSE) {
          throw new EscapeException("a symlink leads outside the root");
        }
        continue;
      }
      done.add(name);
      boolean last = todo.isEmpty();
      if (last && !followLast) {
        break;
      }
      Optional<String> target = lookup.lookup(done, last);
      if (target.isPresent()) {
        if (++hops > maxSymlinks) {
          throw new EscapeException("too many levels of symbolic links");
        }
        done.remove(done.size() - 1);
        if (target.get().startsWith("/")) {
          done.clear();
        }
        List<String> parts = components(target.get());
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      }
    }
    return done;
  }

  /**
   * Cleans a path lexically, without looking at the file system: {@code .} and empty components
   * dropped, {@code ..} removing the previous component and stopping at the root (Go's {@code
   * path.Clean} of {@code "/" + path}).
   */
  public static List<String> clean(String path) {
    List<String> parts = new ArrayList<>();
    for (String s : components(path)) {
      if (s.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
      } else {
        parts.add(s);
      }
    }
    return parts;
  }

  /** The components of {@code path} with empty and {@code .} ones dropped; {@code ..} kept. */
  public static List<String> components(String path) {
    List<String> parts = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty() && !s.equals(".")) {
        parts.add(s);
      }
    }
    return parts;
  }
}
