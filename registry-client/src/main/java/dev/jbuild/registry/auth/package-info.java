/**
 * Registry authentication: credentials ({@code config.json}), {@code WWW-Authenticate} challenges,
 * and the Basic and Bearer-token flows of distribution's {@code docs/spec/auth/token.md}.
 */
package dev.jbuild.registry.auth;
