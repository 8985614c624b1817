package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link Chmod}'s errors and octal values (issue 14). */
class ChmodTest {
  @Test
  void numericLookingValues_getBuildKitsOctalMessage() {
    // testCopyInvalidChmod, testAddInvalidChmod.
    for (String bad : new String[] {"64a", "10000", "0999", "8"}) {
      assertEquals("invalid chmod parameter: '" + bad + "'. it should be octal string and"
          + " between 0 and 07777",
          assertThrows(IllegalArgumentException.class, () -> Chmod.parse(bad)).getMessage());
    }
    assertEquals("invalid chmod parameter: u+q",
        assertThrows(IllegalArgumentException.class, () -> Chmod.parse("u+q")).getMessage());
  }

  @Test
  void octalValues_upToFourDigitsAfterLeadingZeros() {
    assertEquals(0644, Chmod.parse("0644").apply(0600, false));
    assertEquals(0755, Chmod.parse("00755").apply(0600, false));
    assertEquals(0, Chmod.parse("0").apply(0644, false));
  }

}
