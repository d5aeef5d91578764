/// The version `atomforge --version` prints; raised with each release.
public enum AtomForgeVersion {
    public static let current = "0.5.0"
}
