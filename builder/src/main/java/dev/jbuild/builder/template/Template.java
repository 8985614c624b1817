package dev.jbuild.builder.template;

import java.util.List;

/**
 * A Go {@code text/template}, as docker's {@code --format} flags take them: {@code
 * {{.Field.Sub}}}, pipelines, variables, {@code if}/{@code range}/{@code with}, Go's built-in
 * functions and docker's ({@code json}, {@code join}, {@code split}, {@code lower}, {@code
 * upper}, {@code title}, {@code pad}, {@code truncate}). Not supported: {@code define}, {@code
 * template}, {@code block} and method calls. An unknown function is a parse error; an unknown
 * struct field is an execution error, as in Go; a missing map key prints {@code <no value>}.
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class Template {
  private final String source;
  private final List<Node> nodes;

  private Template(String source, List<Node> nodes) {
    this.source = source;
    this.nodes = nodes;
  }

  /**
   * Parses {@code source}.
   *
   * @throws TemplateException with Go's message ({@code template: :1: function "foo" not
   *     defined}) when it does not parse
   */
  public static Template parse(String source) throws TemplateException {
    return new Template(source, Parser.parse(source, Functions.names()));
  }

  /**
   * Runs the template with {@code data} as dot. Data is made of {@link String}, {@link Long},
   * {@link Double}, {@link Boolean}, {@link List}, {@link GoValue}s and null (nil).
   *
   * @throws TemplateException when a field does not exist or a function fails
   */
  public String execute(Object data) throws TemplateException {
    return Executor.run(source, nodes, data);
  }
}
