/**
 * The parser's public types: the immutable, syntax-only tree ({@link
 * dev.jbuild.parser.ast.Dockerfile}, the sealed {@link dev.jbuild.parser.ast.Instruction} records
 * with their {@link dev.jbuild.parser.ast.SourceRange}s), its {@link
 * dev.jbuild.parser.ast.Warning}s, the build-check options and {@link
 * dev.jbuild.parser.ast.DockerfileSyntaxException}. Depends on nothing else in jbuild.
 */
package dev.jbuild.parser.ast;
