package dev.jbuild.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void parseAll_dockerHubBearer_readsQuotedParameters() {
    List<Challenge> challenges = Challenge.parseAll(List.of(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            + "scope=\"repository:samalba/my-app:pull,push\""));
    assertEquals(List.of(new Challenge("bearer", Map.of(
        "realm", "https://auth.docker.io/token",
        "service", "registry.docker.io",
        "scope", "repository:samalba/my-app:pull,push"))), challenges);
    assertTrue(challenges.get(0).isBearer());
  }

  @Test
  void parseAll_basicRealm_isBasic() {
    Challenge challenge = Challenge.parseAll(List.of("Basic realm=\"basic-realm\"")).get(0);
    assertTrue(challenge.isBasic());
    assertEquals(Optional.of("basic-realm"), challenge.parameter("REALM"));
  }

  @Test
  void parseAll_severalChallengesInOneValue_splitsThem() {
    List<Challenge> challenges = Challenge.parseAll(List.of(
        "Negotiate abc123==, Basic realm=\"r\", Bearer realm=\"https://t/x\" , error=invalid_token"));
    assertEquals(3, challenges.size(), challenges.toString());
    assertEquals("negotiate", challenges.get(0).scheme());
    assertEquals(Map.of(), challenges.get(0).parameters());
    assertEquals(Map.of("realm", "r"), challenges.get(1).parameters());
    assertEquals(Map.of("realm", "https://t/x", "error", "invalid_token"),
        challenges.get(2).parameters());
  }

  @Test
  void parseAll_escapesAndSpaces_areHandled() {
    Challenge challenge = Challenge.parseAll(List.of(
        "  bearer   realm = \"a \\\"quoted\\\" realm\" ,service=svc")).get(0);
    assertEquals(Map.of("realm", "a \"quoted\" realm", "service", "svc"), challenge.parameters());
  }

  @Test
  void parseAll_garbage_neverThrows() {
    for (String value : List.of("", ",,,", "=", "\"", "Bearer realm=\"unterminated",
        "Basic ===", "@@@ x=y")) {
      Challenge.parseAll(List.of(value));
    }
    assertEquals(List.of(), Challenge.parseAll(List.of("", " , ")));
  }
}
