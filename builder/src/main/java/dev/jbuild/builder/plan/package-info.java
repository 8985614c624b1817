/**
 * The build plan: which stages a build needs, in which order, and the steps of each with the
 * labels users see ({@code [2/4] RUN make}). Planning is pure: it reads the parsed Dockerfile and
 * touches neither the store nor the network, so it is testable without root.
 */
package dev.jbuild.builder.plan;
