package dev.jbuild.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link PackageTable}: how the Markdown tables are read. */
class PackageTableTest {
  private static final String DOC = String.join("\n",
      "# title",
      "",
      "| module | depends on | job |",
      "|---|---|---|",
      "| `parser` | antlr | not a package table |",
      "",
      "| package | job | depends on |",
      "|---|---|---|",
      "| `store` | the facade | `store.content`, `store.oci` |",
      "| `store.oci` | kernel, `Digest` in the job column is not read | — |",
      "| `store.content` | blobs | `store.oci` |",
      "| `out` | `-o type=docker\\|oci` (escaped pipes stay in the job cell) | `store..` |",
      "| `registry..` | all of registry-client | `store.oci` |",
      "| `registry.http` | the http layer | `registry..` |",
      "text after the table",
      "");

  @Test
  void readsOnlyPackageTables() {
    PackageTable t = PackageTable.parse(DOC);
    assertEquals(List.of("store", "store.oci", "store.content", "out", "registry..",
        "registry.http"), t.rows().stream().map(PackageTable.Row::name).toList());
    assertEquals(List.of("store.content", "store.oci"), t.rows().get(0).allowed());
    assertEquals(List.of(), t.rows().get(1).allowed());
    assertEquals(List.of("store.."), t.rows().get(3).allowed());
    assertEquals(10, t.rows().get(1).line());
  }

  @Test
  void theMostSpecificRowOwnsAPackage() {
    PackageTable t = PackageTable.parse(DOC);
    assertEquals("registry.http", t.rowOf("dev.jbuild.registry.http").orElseThrow().name());
    assertEquals("registry..", t.rowOf("dev.jbuild.registry").orElseThrow().name());
    assertEquals("registry..", t.rowOf("dev.jbuild.registry.endpoint").orElseThrow().name());
    assertEquals("store", t.rowOf("dev.jbuild.store").orElseThrow().name());
    assertTrue(t.rowOf("dev.jbuild.store.image").isEmpty(), "a plain name has no sub-packages");
    assertTrue(t.rowOf("dev.jbuild.storefront").isEmpty());
  }

  @Test
  void aRowAllowsItselfAndWhatItLists() {
    PackageTable t = PackageTable.parse(DOC);
    PackageTable.Row store = t.rowOf("dev.jbuild.store").orElseThrow();
    assertTrue(store.allows("dev.jbuild.store"));
    assertTrue(store.allows("dev.jbuild.store.oci"));
    assertFalse(store.allows("dev.jbuild.out"));
    assertFalse(t.rowOf("dev.jbuild.store.oci").orElseThrow().allows("dev.jbuild.store"));
    PackageTable.Row out = t.rowOf("dev.jbuild.out").orElseThrow();
    assertTrue(out.allows("dev.jbuild.store.content"));
    assertTrue(out.allows("dev.jbuild.store"));
    assertFalse(out.allows("dev.jbuild.registry"));
  }

  @Test
  void aMistypedTableFailsInsteadOfCheckingNothing() {
    assertThrows(IllegalArgumentException.class, () -> PackageTable.parse("no tables here"));
    assertThrows(IllegalArgumentException.class, () -> PackageTable.parse(String.join("\n",
        "| package | job | depends on |", "|---|---|---|", "| a | no backticks | — |")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PackageTable.parse(String.join("\n",
            "| package | job | depends on |", "|---|---|---|",
            "| `a` | x | — |", "| `a` | again | — |")));
    assertEquals("ARCHITECTURE.md:4: package `a` has two rows", e.getMessage());
  }
}
