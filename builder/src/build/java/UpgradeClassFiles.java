import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step (builder/pom.xml, run as a single-file program after the shade plugin made the
 * jar, with that jar as its class path for ASM): rewrites the jar in place, every class file
 * under the given package directories that is older than Java 6 (version 50) written as
 * version 52 with stack map frames computed by ASM. Nothing else changes: the same members and
 * bytecode, the other entries as they were, in the same order.
 *
 * <p>Why (issue 18): picocli is compiled for Java 5. A Java 25 AOT cache skips such "old"
 * classes ("Old class has been linked", -Xlog:aot), so every jbuild command loaded ~180 of them
 * from the jar and verified them with the old type-inferencing verifier, on the main thread of
 * every command. Version 52 classes are archived loaded and linked by the launcher's training.
 *
 * <p>Usage: {@code java -cp JAR UpgradeClassFiles.java JAR DIR/...}; fails (exit 1) when no
 * class under the directories was old, so that a change of the jar cannot silently undo it.
 */
public final class UpgradeClassFiles {
  private UpgradeClassFiles() {}

  public static void main(String[] args) throws IOException {
    Path jar = Path.of(args[0]);
    java.util.List<String> dirs = java.util.Arrays.asList(args).subList(1, args.length);
    Path tmp = jar.resolveSibling(jar.getFileName() + ".upgrading");
    int upgraded = 0;
    // The jar itself resolves common superclasses while frames are computed (its classes extend
    // each other and the JDK's), not the build's class path.
    try (ZipFile zip = new ZipFile(jar.toFile());
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        OutputStream file = Files.newOutputStream(tmp);
        ZipOutputStream out = new ZipOutputStream(file)) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        byte[] bytes = zip.getInputStream(e).readAllBytes();
        String name = e.getName();
        if (name.endsWith(".class") && dirs.stream().anyMatch(name::startsWith)) {
          ClassReader reader = new ClassReader(bytes);
          if (reader.readUnsignedShort(6) < Opcodes.V1_6) {
            bytes = upgrade(reader, loader);
            upgraded++;
          }
        }
        ZipEntry copy = new ZipEntry(name);
        copy.setTime(e.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    if (upgraded == 0) {
      Files.delete(tmp);
      System.err.println("UpgradeClassFiles: tried to upgrade the old classes under " + dirs
          + " in " + jar + " but failed because there are none (is the build step still needed?)");
      System.exit(1);
    }
    Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("UpgradeClassFiles: " + upgraded + " classes under " + dirs
        + " written as version 52 in " + jar.getFileName());
  }

  private static byte[] upgrade(ClassReader reader, ClassLoader loader) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override
      protected ClassLoader getClassLoader() {
        return loader;
      }
    };
    // SKIP_FRAMES: an old class has none; COMPUTE_FRAMES computes all (and the max stack).
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public void visit(int version, int access, String name, String signature,
          String superName, String[] interfaces) {
        super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
      }
    }, ClassReader.SKIP_FRAMES);
    return writer.toByteArray();
  }
}
