package dev.jbuild.builder.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.GoMap;
import dev.jbuild.builder.template.GoValue.Nil;
import dev.jbuild.builder.template.GoValue.Struct;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tests for {@link Template}. The expected strings are what {@code docker image inspect -f} (the
 * docker.io 20.10 CLI on this project's machine) printed for an image of the same shape: {@code
 * User nobody}, one {@code Env}, no labels, two layers.
 */
class TemplateTest {
  private static final Struct CONFIG = new Struct("v1.ImageConfig", List.of(
      Field.of("User", "nobody", true),
      Field.of("ExposedPorts", new Nil(Nil.Kind.MAP), true),
      Field.of("Env", List.of("PATH=/usr/bin:/bin"), true),
      Field.of("Entrypoint", new Nil(Nil.Kind.SLICE), true),
      Field.of("Cmd", new Nil(Nil.Kind.SLICE), true),
      Field.of("Volumes", new Nil(Nil.Kind.MAP), true),
      Field.of("WorkingDir", "", true),
      Field.of("Labels", new Nil(Nil.Kind.MAP), true),
      Field.of("StopSignal", "", true),
      Field.of("ArgsEscaped", false, true),
      Field.of("Healthcheck", new Nil(Nil.Kind.POINTER), true)));
  private static final Struct IMAGE = new Struct("types.ImageInspect", List.of(
      Field.of("Id", "sha256:df47", false),
      Field.of("RepoTags", List.of("a/user:bk", "a/user:v2"), false),
      Field.of("RepoDigests", List.of(), false),
      Field.of("Config", CONFIG, false),
      Field.of("Os", "linux", false),
      Field.of("Size", 1984511L, false),
      Field.of("RootFS", new Struct("types.RootFS", List.of(Field.of("Type", "layers", false),
          Field.of("Layers", List.of("sha256:a6", "sha256:20"), false))), false),
      Field.of("Labels", GoMap.ofStrings(Map.of("b", "2", "a", "1")), false)));

  private static String run(String template) throws TemplateException {
    return Template.parse(template).execute(IMAGE);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "{{.Config.Labels.nope}}|<no value>",
      "'{{index .Config.Labels \"x\"}}'|''",
      "{{.Config.Entrypoint}}|[]",
      "{{.Config.ExposedPorts}}|map[]",
      "{{.RootFS}}|{layers [sha256:a6 sha256:20]}",
      "{{.Config.Healthcheck}}|<nil>",
      "{{json .Config.Labels}}|null",
      "{{json .RootFS}}|{\"Type\":\"layers\",\"Layers\":[\"sha256:a6\",\"sha256:20\"]}",
      "{{json .Config}}|{\"User\":\"nobody\",\"Env\":[\"PATH=/usr/bin:/bin\"]}",
      "{{.Config.Env}}|[PATH=/usr/bin:/bin]",
      "{{range .RepoTags}}<{{.}}>{{end}}|<a/user:bk><a/user:v2>",
      "{{index .RepoTags 1}}|a/user:v2",
      "{{.Size}}|1984511",
      "'{{printf \"%v|%q|%d|%s\" .Os .Os .Size .Config.Env}}'|'linux|\"linux\"|1984511|[PATH=/usr/bin:/bin]'",
      "'{{printf \"%5s|%-5s|%05d|%x\" \"ab\" \"cd\" 42 \"hi\"}}'|'   ab|cd   |00042|6869'",
      "{{if .Config.Labels}}y{{else}}n{{end}}|n",
      "{{if .Labels}}y{{else}}n{{end}}|y",
      "{{.Labels}}|map[a:1 b:2]",
      "{{len .Config.Env}}|1",
      "'{{ .Id | printf \"%.10s\" }}'|sha256:df4",
      "'{{- /* c */ -}} x {{- .Os -}} y'|xlinuxy",
      "'{{print 1 2 \"a\" \"b\" 3}}'|'1 2ab3'",
      "'{{eq .Os \"linux\" \"x\"}}'|true",
      "'{{title \"hello world\"}}'|'Hello World'",
      "'{{pad \"x\" 2 3}}'|'  x   '",
      "'{{truncate \"abcdef\" 3}}'|abc",
      "'{{split \"a,b\" \",\"}}'|'[a b]'",
      "'{{join .RepoTags \", \"}}'|'a/user:bk, a/user:v2'",
      "{{$x := .Os}}{{$x}}|linux",
      "'{{range $i, $e := .RepoTags}}{{$i}}={{$e}};{{end}}'|'0=a/user:bk;1=a/user:v2;'",
      "{{with .Config.User}}u={{.}}{{end}}|u=nobody",
      "{{with .Config.WorkingDir}}w{{else}}none{{end}}|none",
      "{{and 1 0 2}}|0",
      "'{{or 0 \"\" \"z\"}}'|z",
      "{{not 0}}|true",
      "{{len .Os}}|5",
      "'{{index .Config.Env 0 | lower}}'|path=/usr/bin:/bin",
      "{{slice .Os 1 3}}|in",
      "{{range .RepoDigests}}x{{else}}none{{end}}|none",
      "{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}|a1b2",
      "'{{range .RepoTags}}{{if eq . \"a/user:v2\"}}{{break}}{{end}}{{.}}{{end}}'|a/user:bk",
      "'{{if eq .Os \"windows\"}}w{{else if eq .Os \"linux\"}}l{{else}}o{{end}}'|l",
      "'{{(index .RepoTags 0) | upper}}'|A/USER:BK",
      "'{{.RootFS.Layers | len}}'|2",
      "{{lt 1 2}} {{ge 2.5 3}}|true false",
  })
  void printsWhatDockerPrints(String template, String expected) throws TemplateException {
    assertEquals(expected, run(template));
  }

  @Test
  void unknownFieldOfAStructIsAnError() {
    TemplateException e = assertThrows(TemplateException.class, () -> run("{{.Nope}}"));
    assertFalse(e.isParseError());
    assertEquals("template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type"
        + " types.ImageInspect", e.getMessage());
    e = assertThrows(TemplateException.class, () -> run("x\n{{.Config.StopTimeout}}"));
    assertEquals("template: :2:9: executing \"\" at <.Config.StopTimeout>: can't evaluate field"
        + " StopTimeout in type v1.ImageConfig", e.getMessage());
  }

  @Test
  void unknownFunctionIsAParseError() {
    TemplateException e = assertThrows(TemplateException.class, () -> run("{{foo .Id}}"));
    assertTrue(e.isParseError());
    assertEquals("template: :1: function \"foo\" not defined", e.getMessage());
  }

  @Test
  void indexOutOfRangeSaysWhere() {
    TemplateException e = assertThrows(TemplateException.class,
        () -> run("{{index .RepoDigests 0}}"));
    assertEquals("template: :1:2: executing \"\" at <index .RepoDigests 0>: error calling index:"
        + " index out of range: 0", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "{{.Os|template: :1: unclosed action",
      "{{if .Os}}x|template: :1: unexpected EOF",
      "{{end}}|template: :1: unexpected {{end}}",
      "{{$nope}}|template: :1: undefined variable \"$nope\"",
      "'{{\"abc}}'|template: :1: unterminated quoted string",
      "{{break}}|template: :1: {{break}} outside {{range}}",
      "{{}}|template: :1: missing value for command",
  })
  void malformedTemplatesAreParseErrors(String template, String message) {
    TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(template));
    assertTrue(e.isParseError());
    assertEquals(message, e.getMessage());
  }

  @Test
  void functionsCheckTheirArguments() {
    assertThrows(TemplateException.class, () -> run("{{len .Size}}"));
    assertThrows(TemplateException.class, () -> run("{{join .Os \",\"}}"));
    assertThrows(TemplateException.class, () -> run("{{.Os .Id}}"));
    assertThrows(TemplateException.class, () -> run("{{range .Os}}{{end}}"));
    assertThrows(TemplateException.class, () -> run("{{eq .Os 1}}"));
    assertEquals("%!d(string=linux)", assertDoesNotThrow("{{printf \"%d\" .Os}}"));
    assertEquals("%!s(MISSING)", assertDoesNotThrow("{{printf \"%s\"}}"));
  }

  @Test
  void jsonEscapesLikeDockersEncoder() throws TemplateException {
    Struct s = new Struct("t", List.of(Field.of("A", "<a&b>\"\n\u0001", false)));
    assertEquals("{\"A\":\"<a&b>\\\"\\n\\u0001\"}", Template.parse("{{json .}}").execute(s));
    assertEquals("1.984511e+06 100000 0.5 1e-05",
        Template.parse("{{.A}} {{.B}} {{.C}} {{.D}}").execute(new GoMap(Map.of("A", 1984511.0,
            "B", 100000.0, "C", 0.5, "D", 0.00001), null)));
  }

  private static String assertDoesNotThrow(String template) {
    try {
      return run(template);
    } catch (TemplateException e) {
      throw new AssertionError(e);
    }
  }
}
