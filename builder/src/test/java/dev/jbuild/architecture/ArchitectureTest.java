package dev.jbuild.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/ARCHITECTURE.md} true: the main classes of every module (builder's test
 * classpath holds them all) are checked against the package tables there. A failure names the
 * class, the dependency and the table line; fix the code, or add the edge to the table in the same
 * commit if it is meant.
 */
class ArchitectureTest {
  private static JavaClasses classes;
  private static PackageRules rules;

  @BeforeAll
  static void importClasses() throws IOException {
    rules = new PackageRules(PackageTable.parse(Files.readString(architectureDoc(),
        StandardCharsets.UTF_8)));
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(PackageTable.ROOT);
  }

  @Test
  void importsEveryModule() {
    // Guards the test itself: with a module missing from the classpath it would check too little.
    for (String anchor : List.of("dev.jbuild.parser.DockerfileParser",
        "dev.jbuild.layerstore.LayerStore", "dev.jbuild.runner.ContainerRunner",
        "dev.jbuild.registry.RegistryClient", "dev.jbuild.builder.ImageBuilder")) {
      assertTrue(classes.contain(anchor), anchor + " was not imported");
    }
  }

  @Test
  void everyPackageHasARow() {
    rules.everyPackageHasARow().check(classes);
  }

  @Test
  void packagesUseOnlyWhatTheirRowDeclares() {
    rules.onlyDeclaredDependencies().check(classes);
  }

  @Test
  void packagesFormNoCycle() {
    rules.noCycles().check(classes);
  }

  @Test
  void everyRowNamesAPackageThatExists() {
    assertEquals(List.of(), rules.unusedRows(classes));
  }

  /** {@code docs/ARCHITECTURE.md}, found from the module directory the test runs in. */
  static Path architectureDoc() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path doc = dir.resolve("docs/ARCHITECTURE.md");
      if (Files.isRegularFile(doc)) {
        return doc;
      }
    }
    throw new IllegalStateException("docs/ARCHITECTURE.md not found above "
        + Path.of("").toAbsolutePath());
  }
}
