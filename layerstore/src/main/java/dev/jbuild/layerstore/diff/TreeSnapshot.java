package dev.jbuild.layerstore.diff;

import dev.jbuild.layerstore.fs.FileNames;
import dev.jbuild.layerstore.fs.ExcludedPaths;
import dev.jbuild.layerstore.posix.Posix;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The stat data of a directory tree at one moment, for {@link WalkingDiffer}: per path the inode,
 * device, ctime (to the nanosecond), mtime, size, mode, owner, link count, device number and, for
 * symlinks, the target. No file content is read or hashed. A process cannot set ctime, so any
 * later change to a file's content or metadata moves it; with the inode (a replaced file or
 * directory has a new one) that finds every change in one {@code lstat} per file.
 *
 * <p><b>Memory.</b> No {@link Path} or {@link String} is kept per file: names (and symlink
 * targets) sit in one UTF-8 byte pool and the stat fields in parallel primitive arrays, about 100
 * bytes per entry plus its name. A directory's children are stored contiguously, sorted by name,
 * so a later walk merges each directory's listing with its block without a hash table.
 *
 * <p><b>Racy changes</b> (the "racy git" problem): the kernel stamps ctime from a coarse clock (a
 * scheduler tick, or whole seconds on some file systems), so a change in the same tick as the
 * snapshot of that file would keep its ctime. {@link #take} therefore returns only once the clock
 * has moved past every recorded ctime (at most about 20 ms, or a second on a file system whose
 * times have no sub-second part), and an entry whose ctime lies in the future (a clock set
 * back) is marked as always changed.
 *
 * <p>Directories also keep their birth time ({@code statx} {@code stx_btime}, one more call per
 * directory) where the file system reports one, so that a removed and remade directory is told
 * apart when its inode number is reused.
 *
 * <p>The tree must be quiescent while {@link #take} runs. Paths below other mounts are walked
 * like any other; exclude mount points (for example {@code proc}, {@code sys}, {@code dev}) that
 * must not be compared. Immutable once taken and thread-safe.
 */
public final class TreeSnapshot {
  /** Safety margin over one scheduler tick of the kernel's coarse clock (HZ >= 100). */
  private static final long FINE_MARGIN_NANOS = 20_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private final Path root;
  private final ExcludedPaths excluded;
  private int count;
  private byte[] pool = new byte[1 << 16];
  private int poolSize;
  private int[] poolEnd = new int[1024];
  private short[] nameLength = new short[1024];
  private int[] firstChild = new int[1024];
  private int[] childCount = new int[1024];
  private long[] ino = new long[1024];
  private long[] dev = new long[1024];
  private long[] rdev = new long[1024];
  private long[] size = new long[1024];
  private long[] ctimeNanos = new long[1024];
  private long[] mtimeSec = new long[1024];
  private int[] mtimeNsec = new int[1024];
  private int[] mode = new int[1024];
  private int[] uid = new int[1024];
  private int[] gid = new int[1024];
  private int[] nlink = new int[1024];
  /** Directories' birth times ({@link BirthTimes#UNKNOWN} for other types and where unknown). */
  private long[] birth = new long[1024];
  private final BitSet racy = new BitSet();
  private final BirthTimes birthTimes;

  private TreeSnapshot(Path root, ExcludedPaths excluded, BirthTimes birthTimes) {
    this.root = root;
    this.excluded = excluded;
    this.birthTimes = birthTimes;
  }

  /**
   * Records the stat data of every path below {@code root} except the excluded subtrees.
   *
   * @param root the directory whose tree is recorded (a root filesystem)
   * @param excludedPaths subtrees never recorded or diffed, relative to {@code root} ({@code
   *     /proc} and {@code proc} mean the same); see {@link WalkingDiffer}
   * @return the snapshot, once every later change is guaranteed to move a ctime
   * @throws IOException if {@code root} is not a directory or the tree cannot be read
   * @throws IllegalArgumentException if an excluded path is not a plain relative path
   */
  public static TreeSnapshot take(Path root, Collection<String> excludedPaths)
      throws IOException {
    return take(root, excludedPaths, BirthTimes.STATX);
  }

  /** Like {@link #take(Path, Collection)}, reading directories' birth times from {@code births}. */
  static TreeSnapshot take(Path root, Collection<String> excludedPaths, BirthTimes births)
      throws IOException {
    ExcludedPaths excluded = ExcludedPaths.of(excludedPaths);
    Path absolute = root.toAbsolutePath().normalize();
    String action = "snapshot the tree at " + absolute;
    TreeSnapshot snapshot = new TreeSnapshot(absolute, excluded, births);
    Instant walkStart = Instant.now();
    try {
      FileStat rootStat = FileStat.of(absolute);
      if (!rootStat.isDirectory()) {
        throw new IOException("Tried to " + action + " but failed because: it is not a"
            + " directory");
      }
      snapshot.add(rootStat, "", null, births.of(absolute));
      snapshot.recordChildren(0, absolute, "");
    } catch (IOException e) {
      throw FileStat.worded(action, e);
    }
    snapshot.trim();
    snapshot.settle(walkStart);
    return snapshot;
  }

  /** The directory this snapshot records (absolute, normalized). */
  public Path root() {
    return root;
  }

  /** The excluded subtrees, normalized (no leading {@code /}), sorted. */
  public Set<String> excludedPaths() {
    return excluded.paths();
  }

  /** The number of paths recorded below the root (the root itself not counted). */
  public int size() {
    return count - 1;
  }

  /** About how many bytes of heap this snapshot holds (its arrays and name pool). */
  public long heapBytes() {
    long perEntry = 4 + 2 + 4 + 4 + 8 * 7 + 4 * 5;
    return perEntry * poolEnd.length + pool.length + racy.size() / 8;
  }

  /**
   * Lists the names in {@code dir} that {@code excluded} keeps, sorted by {@link
   * String#compareTo}: the order both a snapshot and the walk that diffs against it use.
   * Names are escaped UTF-8 ({@link FileNames}), so a name that is not valid UTF-8 is found
   * again and written to the tar with its own bytes.
   */
  static List<String> sortedChildren(Path dir, String rel, ExcludedPaths excluded)
      throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        // Escaped UTF-8 (FileNames): a name that is not valid UTF-8 keeps its bytes.
        String name = FileNames.name(child);
        if (!excluded.excludes(rel, name)) {
          names.add(name);
        }
      }
    }
    names.sort(null);
    return names;
  }

  ExcludedPaths excluded() {
    return excluded;
  }

  private void recordChildren(int index, Path dir, String rel) throws IOException {
    List<String> names = sortedChildren(dir, rel, excluded);
    int first = count;
    List<String> kept = new ArrayList<>(names.size());
    for (String name : names) {
      Path path = FileNames.resolve(dir, name);
      FileStat stat;
      try {
        stat = FileStat.of(path);
      } catch (NoSuchFileException e) {
        continue; // deleted since the listing: the tree is not quiescent, but it is not there
      }
      add(stat, name, stat.isSymlink() ? FileNames.string(Files.readSymbolicLink(path)) : null,
          stat.isDirectory() ? birthTimes.of(path) : BirthTimes.UNKNOWN);
      kept.add(name);
    }
    firstChild[index] = first;
    childCount[index] = kept.size();
    for (int i = 0; i < kept.size(); i++) {
      if (isDirectory(first + i)) {
        String name = kept.get(i);
        recordChildren(first + i, FileNames.resolve(dir, name), rel.isEmpty() ? name : rel + "/" + name);
      }
    }
  }

  private void add(FileStat stat, String name, String linkTarget, long birthNanos) {
    if (count == poolEnd.length) {
      grow(count + (count >> 1));
    }
    byte[] nameBytes = FileNames.encode(name);
    byte[] target = linkTarget == null ? new byte[0] : FileNames.encode(linkTarget);
    if (nameBytes.length > Short.MAX_VALUE) {
      throw new IllegalStateException("file name longer than any file system allows: " + name);
    }
    int needed = poolSize + nameBytes.length + target.length;
    if (needed > pool.length) {
      pool = Arrays.copyOf(pool, Math.max(needed, pool.length + (pool.length >> 1)));
    }
    System.arraycopy(nameBytes, 0, pool, poolSize, nameBytes.length);
    System.arraycopy(target, 0, pool, poolSize + nameBytes.length, target.length);
    poolSize = needed;
    int i = count++;
    poolEnd[i] = poolSize;
    nameLength[i] = (short) nameBytes.length;
    firstChild[i] = -1;
    childCount[i] = 0;
    ino[i] = stat.ino();
    dev[i] = stat.dev();
    rdev[i] = stat.rdev();
    size[i] = stat.size();
    ctimeNanos[i] = stat.ctimeNanos();
    mtimeSec[i] = stat.mtimeSec();
    mtimeNsec[i] = stat.mtimeNsec();
    mode[i] = stat.mode();
    uid[i] = (int) stat.uid();
    gid[i] = (int) stat.gid();
    nlink[i] = stat.nlink();
    birth[i] = birthNanos;
  }

  private void grow(int capacity) {
    poolEnd = Arrays.copyOf(poolEnd, capacity);
    nameLength = Arrays.copyOf(nameLength, capacity);
    firstChild = Arrays.copyOf(firstChild, capacity);
    childCount = Arrays.copyOf(childCount, capacity);
    ino = Arrays.copyOf(ino, capacity);
    dev = Arrays.copyOf(dev, capacity);
    rdev = Arrays.copyOf(rdev, capacity);
    size = Arrays.copyOf(size, capacity);
    ctimeNanos = Arrays.copyOf(ctimeNanos, capacity);
    mtimeSec = Arrays.copyOf(mtimeSec, capacity);
    mtimeNsec = Arrays.copyOf(mtimeNsec, capacity);
    mode = Arrays.copyOf(mode, capacity);
    uid = Arrays.copyOf(uid, capacity);
    gid = Arrays.copyOf(gid, capacity);
    nlink = Arrays.copyOf(nlink, capacity);
    birth = Arrays.copyOf(birth, capacity);
  }

  /** Drops the growth slack: a snapshot lives for a whole RUN step. */
  private void trim() {
    grow(count);
    pool = Arrays.copyOf(pool, poolSize);
  }

  /**
   * Marks entries with a ctime after the walk started as racy (a clock set back, or a tree that
   * was not quiescent), then waits until the coarse clock is past every other recorded ctime, so
   * that a change made after {@link #take} returns always gives a later ctime.
   */
  private void settle(Instant walkStart) {
    long start = walkStart.getEpochSecond() * SECOND + walkStart.getNano();
    long newest = Long.MIN_VALUE;
    boolean subSecond = false;
    for (int i = 0; i < count; i++) {
      long c = ctimeNanos[i];
      if (c == Long.MAX_VALUE || c > start) {
        racy.set(i);
        continue;
      }
      newest = Math.max(newest, c);
      subSecond |= c % SECOND != 0;
    }
    if (newest == Long.MIN_VALUE) {
      return;
    }
    // Whole-second ctimes: the next change must fall in a later second.
    long safeAfter = subSecond ? newest + FINE_MARGIN_NANOS
        : (Math.floorDiv(newest, SECOND) + 1) * SECOND + FINE_MARGIN_NANOS;
    while (true) {
      Instant now = Instant.now();
      long wait = safeAfter - (now.getEpochSecond() * SECOND + now.getNano());
      if (wait <= 0) {
        return;
      }
      try {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // Cannot wait: treat the newest entries as racy instead, which is always safe.
        for (int i = 0; i < count; i++) {
          if (ctimeNanos[i] >= safeAfter - FINE_MARGIN_NANOS - SECOND) {
            racy.set(i);
          }
        }
        return;
      }
    }
  }

  // Accessors for WalkingDiffer's walk; indexes come from firstChild/childCount, 0 is the root.

  String name(int i) {
    int start = i == 0 ? 0 : poolEnd[i - 1];
    return FileNames.decode(pool, start, nameLength[i]);
  }

  String linkTarget(int i) {
    int start = (i == 0 ? 0 : poolEnd[i - 1]) + nameLength[i];
    return FileNames.decode(pool, start, poolEnd[i] - start);
  }

  int firstChild(int i) {
    return firstChild[i];
  }

  int childCount(int i) {
    return childCount[i];
  }

  int format(int i) {
    return mode[i] & Posix.S_IFMT;
  }

  boolean isDirectory(int i) {
    return format(i) == Posix.S_IFDIR;
  }

  /** Where this snapshot read birth times from; a diff against it reads them the same way. */
  BirthTimes birthTimes() {
    return birthTimes;
  }

  /**
   * True when directory entry {@code i} was born at another time than {@code nowBirthNanos}: the
   * directory was removed and made again, even if it got the same inode number. False when
   * either birth time is unknown.
   */
  boolean reborn(int i, long nowBirthNanos) {
    return birth[i] != BirthTimes.UNKNOWN && nowBirthNanos != BirthTimes.UNKNOWN
        && birth[i] != nowBirthNanos;
  }

  /** True when {@code now} is the same inode on the same device as entry {@code i}. */
  boolean sameInode(int i, FileStat now) {
    return ino[i] == now.ino() && dev[i] == now.dev();
  }

  /**
   * True when entry {@code i} and {@code now} differ in any recorded field, or entry {@code i} is
   * racy. {@code nowLinkTarget} is the current symlink target (null for other types).
   */
  boolean changed(int i, FileStat now, String nowLinkTarget) {
    if (racy.get(i) || !sameInode(i, now) || ctimeNanos[i] != now.ctimeNanos()
        || mtimeSec[i] != now.mtimeSec() || mtimeNsec[i] != now.mtimeNsec()
        || size[i] != now.size() || mode[i] != now.mode() || uid[i] != (int) now.uid()
        || gid[i] != (int) now.gid() || nlink[i] != now.nlink() || rdev[i] != now.rdev()) {
      return true;
    }
    return nowLinkTarget != null && !nowLinkTarget.equals(linkTarget(i));
  }
}
