/**
 * The parser's entry points: {@link dev.jbuild.parser.DockerfileParser} (text → {@link
 * dev.jbuild.parser.ast.Dockerfile}), {@link dev.jbuild.parser.DockerfileJson} and strict UTF-8
 * decoding ({@link dev.jbuild.parser.Utf8Text}). The types they return live in {@code ast}; the
 * pipeline behind them lives in {@code internal}, which depends on {@code ast} and never on this
 * package, so the graph stays acyclic.
 */
package dev.jbuild.parser;
