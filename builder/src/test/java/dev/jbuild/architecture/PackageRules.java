package dev.jbuild.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * ArchUnit rules generated from a {@link PackageTable}: every class under {@code dev.jbuild} sits
 * in a package some row covers, uses only the packages its row lists, and the rows form no
 * cycle. Rules are built per table, so a test can check a made-up table against real classes.
 */
final class PackageRules {
  private final PackageTable table;

  PackageRules(PackageTable table) {
    this.table = table;
  }

  /** Every jbuild class belongs to a row; reports the packages that none covers. */
  ArchRule everyPackageHasARow() {
    return classes().that().resideInAPackage(PackageTable.ROOT + "..")
        .should(new ArchCondition<JavaClass>("sit in a package that docs/ARCHITECTURE.md lists") {
          @Override
          public void check(JavaClass c, ConditionEvents events) {
            if (table.rowOf(c.getPackageName()).isEmpty()) {
              events.add(SimpleConditionEvent.violated(c, "package " + c.getPackageName()
                  + " of " + c.getName() + " has no row in docs/ARCHITECTURE.md"));
            }
          }
        });
  }

  /** Every dependency between jbuild packages is declared in the source's row. */
  ArchRule onlyDeclaredDependencies() {
    return classes().that().resideInAPackage(PackageTable.ROOT + "..")
        .should(new ArchCondition<JavaClass>("use only the packages their row in "
            + "docs/ARCHITECTURE.md lists") {
          @Override
          public void check(JavaClass c, ConditionEvents events) {
            Optional<PackageTable.Row> row = table.rowOf(c.getPackageName());
            if (row.isEmpty()) {
              return; // everyPackageHasARow reports it
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
              String target = d.getTargetClass().getBaseComponentType().getPackageName();
              if (isJbuild(target) && !row.get().allows(target)) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription()
                    + ": `" + relative(target) + "` is not in the `depends on` of row `"
                    + row.get().name() + "` (docs/ARCHITECTURE.md:" + row.get().line() + ")"));
              }
            }
          }
        });
  }

  /** The rows, taken as slices, form no cycle. */
  ArchRule noCycles() {
    return SlicesRuleDefinition.slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        return table.rowOf(c.getPackageName())
            .map(r -> SliceIdentifier.of(r.name()))
            .orElse(SliceIdentifier.ignore());
      }

      @Override
      public String getDescription() {
        return "the package rows of docs/ARCHITECTURE.md";
      }
    }).should().beFreeOfCycles();
  }

  /**
   * The rows no imported class falls into: a row for a package that no longer exists makes the
   * document lie about the code.
   */
  List<String> unusedRows(JavaClasses imported) {
    Set<String> used = new TreeSet<>();
    for (JavaClass c : imported) {
      table.rowOf(c.getPackageName()).ifPresent(r -> used.add(r.name()));
    }
    List<String> unused = new ArrayList<>();
    for (PackageTable.Row r : table.rows()) {
      if (!used.contains(r.name())) {
        unused.add(r.name() + " (docs/ARCHITECTURE.md:" + r.line() + ")");
      }
    }
    return unused;
  }

  private static boolean isJbuild(String javaPackage) {
    return javaPackage.equals(PackageTable.ROOT)
        || javaPackage.startsWith(PackageTable.ROOT + ".");
  }

  private static String relative(String javaPackage) {
    return javaPackage.substring(Math.min(javaPackage.length(), PackageTable.ROOT.length() + 1));
  }
}
