package dev.jbuild.architecture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link PackageRules}: each rule fails on the violation it exists for. The cycle comes
 * from the two fixture packages {@code fixture.a} and {@code fixture.b} (test classes that use
 * each other); the undeclared dependency from real layerstore classes and a table that leaves an
 * edge out.
 */
class PackageRulesTest {
  private static final JavaClasses FIXTURE =
      new ClassFileImporter().importPackages("dev.jbuild.architecture.fixture");

  private static PackageRules rules(String... rows) {
    StringBuilder doc = new StringBuilder("| package | job | depends on |\n|---|---|---|\n");
    for (String row : rows) {
      doc.append(row).append('\n');
    }
    return new PackageRules(PackageTable.parse(doc.toString()));
  }

  @Test
  void aCycleFailsEvenWhenEveryEdgeIsDeclared() {
    PackageRules r = rules(
        "| `architecture.fixture.a` | x | `architecture.fixture.b` |",
        "| `architecture.fixture.b` | x | `architecture.fixture.a` |");
    assertDoesNotThrow(() -> r.onlyDeclaredDependencies().check(FIXTURE));
    AssertionError e = assertThrows(AssertionError.class, () -> r.noCycles().check(FIXTURE));
    assertTrue(e.getMessage().contains("Cycle detected"), e.getMessage());
  }

  @Test
  void oneRowForBothPackagesHasNoCycle() {
    PackageRules r = rules("| `architecture.fixture..` | x | — |");
    assertDoesNotThrow(() -> r.noCycles().check(FIXTURE));
    assertDoesNotThrow(() -> r.onlyDeclaredDependencies().check(FIXTURE));
  }

  @Test
  void anUndeclaredDependencyFailsAndSaysWhere() {
    JavaClasses real = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.jbuild.layerstore.hash", "dev.jbuild.layerstore.oci");
    PackageRules declared = rules(
        "| `layerstore.oci` | x | — |", "| `layerstore.hash` | x | `layerstore.oci` |");
    assertDoesNotThrow(() -> declared.onlyDeclaredDependencies().check(real));
    PackageRules missing = rules("| `layerstore.oci` | x | — |", "| `layerstore.hash` | x | — |");
    AssertionError e = assertThrows(AssertionError.class,
        () -> missing.onlyDeclaredDependencies().check(real));
    assertTrue(e.getMessage().contains(
        "`layerstore.oci` is not in the `depends on` of row `layerstore.hash`"
            + " (docs/ARCHITECTURE.md:4)"), e.getMessage());
  }

  @Test
  void aPackageWithoutARowFails() {
    PackageRules r = rules("| `architecture.fixture.a` | x | `architecture.fixture.b` |");
    AssertionError e = assertThrows(AssertionError.class,
        () -> r.everyPackageHasARow().check(FIXTURE));
    assertTrue(e.getMessage().contains("package dev.jbuild.architecture.fixture.b of "
        + "dev.jbuild.architecture.fixture.b.B has no row"), e.getMessage());
  }

  @Test
  void aRowWithoutClassesIsReported() {
    PackageRules r = rules("| `architecture.fixture..` | x | — |", "| `gone` | x | — |");
    assertEquals(List.of("gone (docs/ARCHITECTURE.md:4)"), r.unusedRows(FIXTURE));
  }
}
