package dev.jbuild.samples.app;

/** The maven-app sample's program: says which version it is and which Java runs it. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) {
    String version = System.getenv().getOrDefault("APP_VERSION", "unknown");
    System.out.println("hello from maven-app " + version + " on Java "
        + Runtime.version().feature());
  }
}
