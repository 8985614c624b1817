package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Warning;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link PlanLints} and {@link FromLints}: the Dockerfiles of BuildKit's
 * dockerfile_check_test.go (moby/buildkit {@code frontend/dockerfile}), each named after its Go
 * test, planned in memory; expected warnings are the Go test's (rule, detail, line).
 */
class PlanLintsTest {

  private static List<String> lint(String text) throws Exception {
    return lint(text, Map.of(), "", null);
  }

  /** Plans {@code text} and returns {@code LINE: Rule: detail} of each warning, sorted by line. */
  private static List<String> lint(String text, Map<String, String> buildArgs, String ignore,
      String target) throws Exception {
    List<String> out = new ArrayList<>();
    Dockerfile dockerfile = DockerfileParser.parse(text, "Dockerfile");
    PlanLints lints = new PlanLints(dockerfile, dockerfile.checkOptions(),
        DockerIgnore.parse(ignore), w -> out.add(w.line() + ": " + w.message()));
    try {
      BuildPlanner.plan(dockerfile, text, PlanFixtures.options(target, buildArgs),
          ref -> PlanFixtures.busybox(), lints);
    } catch (BuildException e) {
      out.add("error: " + e.getMessage());
    }
    return out.stream().sorted((a, b) -> lineOf(a) - lineOf(b)).toList();
  }

  private static int lineOf(String s) {
    return s.startsWith("error") ? Integer.MAX_VALUE : Integer.parseInt(s.split(":")[0]);
  }

  private static String multiple(String keyword, int line) {
    return line + ": MultipleInstructionsDisallowed: Multiple " + keyword + " instructions should"
        + " not be used in the same stage because only the last one will be used";
  }

  @Test
  void testMultipleInstructionsDisallowed() throws Exception {
    assertEquals(List.of(multiple("ENTRYPOINT", 3), multiple("CMD", 5),
        multiple("HEALTHCHECK", 7)), lint("\nFROM scratch\nENTRYPOINT [\"/myapp\"]\n"
        + "ENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myapp\"]\nCMD [\"/myotherapp\"]\n"
        + "HEALTHCHECK CMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n"));
    assertEquals(List.of(multiple("ENTRYPOINT", 3), multiple("CMD", 4),
        multiple("HEALTHCHECK", 5)), lint("\nFROM scratch\nENTRYPOINT [\"/myapp\"]\n"
        + "CMD [\"/myapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\nHello, World!\n"
        + "EOF\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\n"
        + "HEALTHCHECK CMD [\"/myotherapp\"]\n"));
    assertEquals(List.of(), lint("\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\n"
        + "HEALTHCHECK CMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/myotherapp\"]\n"
        + "CMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n"));
  }

  @Test
  void multipleInstructionsNamesTheKeywordAsWrittenAndOnlyReachedStages() throws Exception {
    assertEquals(List.of(multiple("cmd", 2)),
        lint("from scratch\ncmd [\"a\"]\ncmd [\"b\"]\n"));
    // BuildKit dispatches only the stages the target needs.
    assertEquals(List.of(), lint("FROM scratch AS unused\nCMD [\"a\"]\nCMD [\"b\"]\n"
        + "FROM scratch\nCMD [\"c\"]\n"));
  }

  @Test
  void testWorkdirRelativePath() throws Exception {
    assertEquals(List.of("3: WorkdirRelativePath: Relative workdir \"app/\" can have unexpected"
        + " results if the base image changes"), lint("\nFROM scratch\nWORKDIR app/\n"));
    assertEquals(List.of(), lint("\nFROM scratch AS a\nWORKDIR /app\n\nFROM a AS b\n"
        + "WORKDIR subdir/\n"));
    assertEquals(List.of(), lint("\nFROM scratch\n# check=skip=WorkdirRelativePath\n"
        + "WORKDIR app/\n"));
  }

  @Test
  void workdirRelativePathOnlyTheFirstAndAfterExpansion() throws Exception {
    assertEquals(List.of("4: WorkdirRelativePath: Relative workdir \"rel\" can have unexpected"
        + " results if the base image changes"),
        lint("FROM scratch\nARG D=rel\nENV X=1\nWORKDIR $D\nWORKDIR again\n"));
    assertEquals(List.of(), lint("FROM scratch\nARG D=/abs\nWORKDIR $D\nWORKDIR rel\n"));
  }

  @Test
  void testUnmatchedVars() throws Exception {
    assertEquals(List.of(), lint("\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n"));
    assertEquals(List.of(), lint("\nFROM busybox AS base\nARG foo=Dockerfile\n\nFROM base\n"
        + "COPY $foo .\n"));
    assertEquals(List.of(), lint("\nFROM busybox\nRUN echo $PATH\n"));
    assertEquals(List.of("3: UndefinedVar: Usage of undefined variable '$foo'"),
        lint("\nFROM busybox\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n"));
    assertEquals(List.of("6: UndefinedVar: Usage of undefined variable '$DIR_ASSET' (did you"
        + " mean $DIR_ASSETS?)"), lint("\nFROM busybox\nARG DIR_BINARIES=binaries/\n"
        + "ARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t"));
    assertEquals(List.of("3: UndefinedVar: Usage of undefined variable '$PAHT' (did you mean"
        + " $PATH?)"), lint("\nFROM busybox\nENV PATH=$PAHT:/tmp/bin\n\t\t"));
  }

  @Test
  void undefinedVarIsOncePerInstructionAndNotForExposeOrSkipped() throws Exception {
    assertEquals(List.of("2: UndefinedVar: Usage of undefined variable '$x'"),
        lint("FROM scratch\nLABEL a=$x b=${x:-d}\nEXPOSE $nope\n"
            + "# check=skip=UndefinedVar\nUSER $nobody\n"));
    // A global ARG is not in a stage's scope until the stage declares it.
    assertEquals(List.of("3: UndefinedVar: Usage of undefined variable '$G'"),
        lint("ARG G=1\nFROM scratch\nLABEL g=$G\nARG G\nLABEL h=$G\n"));
  }

  @Test
  void copyFromIsNotAVariableUse() throws Exception {
    // testDockerfileCopyFromArgs: an error, with no UndefinedVar (BuildKit never expands --from).
    assertEquals(List.of("error: Dockerfile:2: variable expansion is not supported for --from,"
        + " define a new stage with FROM using ARG from global scope as a workaround"),
        lint("FROM scratch\nCOPY --from=$FOO . .\n"));
  }

  @Test
  void copyFlagsCountAsUsesOnlyWhereBuildKitExpandsThem() throws Exception {
    assertEquals(List.of("2: UndefinedVar: Usage of undefined variable '$U'"),
        lint("FROM scratch\nCOPY --chown=${U:-0} --exclude=$X a /\n"));
    assertEquals(List.of("2: UndefinedVar: Usage of undefined variable '$T'"),
        lint("FROM busybox\nRUN --network=${N:-none} --mount=type=tmpfs,target=${T:-/t} true\n"));
  }

  private static String undeclared(String arg, String suggestion, int line) {
    return line + ": UndefinedArgInFrom: FROM argument '" + arg + "' is not declared"
        + (suggestion == null ? "" : " (did you mean " + suggestion + "?)");
  }

  @Test
  void testUndeclaredArg() throws Exception {
    assertEquals(List.of(), lint("\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n"));
    assertEquals(List.of(), lint("\nARG BUILDPLATFORM=linux/amd64\n"
        + "FROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"));
    assertEquals(List.of(), lint("\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"));
    assertEquals(List.of(), lint("\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n"));
    assertEquals(List.of(), lint("\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n"));
    assertEquals(List.of(), lint("\nARG DEBUG=\"\"\nFROM scratch${DEBUG-@bogus}\n"
        + "COPY Dockerfile .\n"));
    assertEquals(List.of(undeclared("BULIDPLATFORM", "BUILDPLATFORM", 2), "error: Dockerfile:2:"
        + " empty platform value from expression $BULIDPLATFORM (did you mean BUILDPLATFORM?)"),
        lint("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n"));
    List<String> arch = lint("\nARG MY_OS=linux\nARG MY_ARCH=amd64\n"
        + "FROM --platform=linux/${MYARCH} busybox\nCOPY Dockerfile .\n\t");
    assertEquals(undeclared("MYARCH", "MY_ARCH", 4), arch.get(0));
    assertEquals(2, arch.size(), arch.toString());
    // BuildKit words it "failed to parse platform linux/${MYARCH}: ..."; jbuild keeps its own
    // words and adds BuildKit's suggestion.
    assertTrue(arch.get(1).startsWith("error: Dockerfile:4: FROM --platform=linux/${MYARCH}: ")
        && arch.get(1).endsWith(" (did you mean MY_ARCH?)"), arch.get(1));
    assertEquals(List.of(undeclared("version", null, 3)),
        lint("\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n"));
  }

  private static String secret(String instruction, String key, int line) {
    return line + ": SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive"
        + " data (" + instruction + " \"" + key + "\")";
  }

  @Test
  void testSecretsUsedInArgOrEnv() throws Exception {
    List<String> got = lint("# check=skip=InvalidDefinitionDescription\n\nFROM scratch\n"
        + "ARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\n"
        + "ARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\n"
        + "ENV git_key=\nENV PUBLIC_KEY=\nARG public_token\nARG SECRET_PASSPHRASE_FILE\n"
        + "ENV password_file=bar secret_File=baz\nARG AUTH_MODULE_VERSION\n"
        + "# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n"
        + "# check=skip=SecretsUsedInArgOrEnv // allow secret in arg\nARG password\n"
        + "# check=skip=all // is local to only this instruction\nENV alternate_password=bar\n"
        + "# check=skip=all // is local to only this instruction\nARG alternate_password\n");
    assertEquals(List.of(secret("ARG", "SECRET_PASSPHRASE", 4), secret("ENV", "SUPER_Secret", 5),
        secret("ENV", "password", 6), secret("ENV", "secret", 6),
        secret("ARG", "super_duper_secret_token", 7), secret("ARG", "auth", 7),
        secret("ENV", "apikey", 8), secret("ENV", "git_key", 9)), got);
  }

  @Test
  void testRedundantTargetPlatform() throws Exception {
    assertEquals(List.of("2: RedundantTargetPlatform: Setting platform to predefined"
        + " $TARGETPLATFORM in FROM is redundant as this is the default behavior"),
        lint("\nFROM --platform=$TARGETPLATFORM scratch\n"));
    assertEquals(List.of("2: RedundantTargetPlatform: Setting platform to predefined"
        + " ${TARGETPLATFORM} in FROM is redundant as this is the default behavior"),
        lint("\nFROM --platform=${TARGETPLATFORM} scratch\n"));
    assertEquals(List.of(), lint("\n# check=skip=RedundantTargetPlatform\n"
        + "FROM --platform=$TARGETPLATFORM scratch\n"));
    // Not alone: another variable takes part (BuildKit counts one match, no misses).
    assertEquals(List.of(), lint("ARG V=\nFROM --platform=$TARGETPLATFORM$V scratch\n"));
  }

  private static String invalidDefault(String name, int line) {
    return line + ": InvalidDefaultArgInFrom: Default value for ARG " + name + " results in empty"
        + " or invalid base image name";
  }

  @Test
  void testInvalidDefaultArgInFrom() throws Exception {
    assertEquals(List.of(invalidDefault("busybox:$VERSION", 3)),
        lint("\nARG VERSION\nFROM busybox:$VERSION\n", Map.of("VERSION", "latest"), "", null));
    assertEquals(List.of(invalidDefault("$IMAGE", 3)),
        lint("\nARG IMAGE\nFROM $IMAGE\n", Map.of("IMAGE", "busybox:latest"), "", null));
    assertEquals(List.of(invalidDefault("busy${SFX}", 3)),
        lint("\nARG SFX=\"box:\"\nFROM busy${SFX}\n", Map.of("SFX", "box:latest"), "", null));
    assertEquals(List.of(), lint("\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n",
        Map.of("VERSION", "latest"), "", null));
    assertEquals(List.of(), lint("\nARG BUSYBOX_VARIANT=\"\"\n"
        + "FROM busybox:stable${BUSYBOX_VARIANT}\n", Map.of("BUSYBOX_VARIANT", "-musl"), "", null));
    assertEquals(List.of(), lint("\n\tARG BUSYBOX_VARIANT\n"
        + "\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t", Map.of("BUSYBOX_VARIANT", "-musl"), "",
        null));
  }

  @Test
  void testFromPlatformFlagConstDisallowed() throws Exception {
    assertEquals(List.of("2: FromPlatformFlagConstDisallowed: FROM --platform flag should not use"
        + " constant value \"linux/amd64\""), lint("\nFROM --platform=linux/amd64 scratch\n"));
    assertEquals(List.of(), lint("\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n"));
    assertEquals(List.of(), lint("\nFROM --platform=linux/amd64 scratch AS linux\n"));
  }

  private static String ignored(String verb, String file, int line) {
    return line + ": CopyIgnoredFile: Attempting to " + verb + " file \"" + file + "\" that is"
        + " excluded by .dockerignore";
  }

  @Test
  void testCopyIgnoredFiles() throws Exception {
    String dockerfile = "\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n";
    assertEquals(List.of(ignored("Copy", "Dockerfile", 3), ignored("Add", "Dockerfile", 4)),
        lint(dockerfile, Map.of(), "\nDockerfile\n", null));
    assertEquals(List.of(), lint("# check=skip=CopyIgnoredFile\n" + dockerfile, Map.of(),
        "\nDockerfile\n", null));
    assertEquals(List.of(), lint("\nFROM scratch AS base\nCOPY Dockerfile /foobar\n"
        + "ADD Dockerfile /windy\n\nFROM base\nCOPY --from=base /foobar /Dockerfile\n",
        Map.of(), "\nfoobar\n", null));
    assertEquals(List.of(), lint("\nFROM scratch\nCOPY ./Dockerfile .\n", Map.of(),
        "\n**\n!Dockerfile\n", null));
    assertEquals(List.of(), lint("\nFROM scratch\nCOPY . .\n\t", Map.of(),
        "\n**\n!Dockerfile\n", null));
  }

  @Test
  void testCopyIgnoredFileContextRoot() throws Exception {
    assertEquals(List.of(), lint("\nFROM scratch\nCOPY . .\n", Map.of(), "\n.*\n", null));
    assertEquals(List.of(ignored("Copy", ".", 3)),
        lint("\nFROM scratch\nCOPY . .\n", Map.of(), "\n*\n", null));
  }

  @Test
  void copyIgnoredFileCleansTheExpandedSourceAndParents() throws Exception {
    assertEquals(List.of(ignored("Copy", "dir/a.txt", 3)),
        lint("FROM scratch\nARG D=dir\nCOPY ./$D//x/../a.txt /\n", Map.of(), "dir\n", null));
  }

  @Test
  void globalCheckSkipAndAllDropPlanWarnings() throws Exception {
    assertEquals(List.of(), lint("# check=skip=all\nFROM scratch\nWORKDIR rel\n"));
    assertEquals(List.of(), lint("# check=skip=WorkdirRelativePath,UndefinedVar\nFROM scratch\n"
        + "WORKDIR $rel\n"));
  }

  @Test
  void badInputNeverBreaksTheLintsOnlyThePlan() throws Exception {
    // Malformed expansions: the lints give up quietly, planning reports the error.
    List<String> got = lint("ARG A=${\nFROM busybox:${B\n");
    assertEquals(1, got.size(), got.toString());
    assertTrue(got.get(0).startsWith("error: Dockerfile:1: "), got.toString());
    got = lint("FROM --platform=${X busybox\n");
    assertEquals(1, got.size(), got.toString());
    assertTrue(got.get(0).startsWith("error: Dockerfile:1: "), got.toString());
    // An invalid per-instruction check comment is an ordinary comment.
    assertEquals(List.of("3: WorkdirRelativePath: Relative workdir \"rel\" can have unexpected"
        + " results if the base image changes"),
        lint("FROM scratch\n# check=skip\nWORKDIR rel\n"));
    // A skip names rules exactly and stays local to its instruction.
    assertEquals(List.of("3: WorkdirRelativePath: Relative workdir \"a\" can have unexpected"
        + " results if the base image changes"),
        lint("FROM scratch\n# check=skip=workdirrelativepath\nWORKDIR a\n"));
    assertEquals(List.of("4: UndefinedVar: Usage of undefined variable '$Y'"),
        lint("FROM scratch\n# check=skip=all\nLABEL a=$X\nLABEL b=$Y\n"));
  }

  @Test
  void secretNamesAreWholeWordsOfTheKey() throws Exception {
    assertEquals(List.of(secret("ENV", "key", 2), secret("ENV", "MY_KEY", 2),
        secret("ARG", "Db_Passwd_x", 3)), lint("FROM scratch\n"
        + "ENV KEYBOARD=1 monkey=2 tokenizer=3 key=4 MY_KEY=5 keys=6\nARG Db_Passwd_x\n"));
  }

  @Test
  void fromRulesCoverEveryStageAndPredefinedArgs() throws Exception {
    // The build targets stage 0; BuildKit checks FROM of every stage, instructions of reached
    // stages only.
    assertEquals(List.of(undeclared("NOPE", null, 3)), lint("FROM busybox:${TARGETARCH:+latest}"
        + " AS a\nFROM a\nFROM busybox${NOPE}\nWORKDIR rel\n", Map.of(), "", "a"));
  }

  @Test
  void copyIgnoredFileSkipsIgnoreFilesWithExceptionsAndOtherOrigins() throws Exception {
    assertEquals(List.of(), lint("FROM busybox AS b\nFROM scratch\nCOPY --from=b a /\n"
        + "COPY a /\n", Map.of(), "a\n!a/keep\n", null));
    assertEquals(List.of(ignored("Add", "a", 2)),
        lint("FROM scratch\nADD a /\n", Map.of(), "a\n", null));
    assertEquals(List.of(), lint("FROM busybox AS b\nFROM scratch\nCOPY --from=b a /\n",
        Map.of(), "a\n", null));
  }

  @Test
  void cleanPathIsGoPathClean() {
    assertEquals(".", PlanLints.cleanPath(""));
    assertEquals(".", PlanLints.cleanPath("./"));
    assertEquals("/", PlanLints.cleanPath("/.."));
    assertEquals("../a", PlanLints.cleanPath("../a/b/.."));
    assertEquals("/a/c", PlanLints.cleanPath("//a/./b/../c/"));
  }

  @Test
  void warningsKeepTheirRuleForCheckOptions() {
    assertEquals("UndefinedVar", new Warning(1, "UndefinedVar: Usage of x").rule());
    assertThrows(NullPointerException.class, () -> new PlanLints(null, null,
        DockerIgnore.empty(), w -> { }));
  }
}
