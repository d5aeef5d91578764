import AtomForgeSystem

extension BehaviourProbe {
    /// The probe for JavaScript, as the Python one (``python``) does it: the program is run in this context by `vm`
    /// so that the atom's function is found by name, each call is made with arguments made afresh and cut after a
    /// second by `vm`'s own timeout (which stops a synchronous endless loop), a promise is awaited for a second, and
    /// values are written the way `assert.deepStrictEqual` and `JSON.stringify` compare them: integers as integers,
    /// other numbers to nine digits, object keys in order, a `Set` or `Map` by its sorted items, `undefined` after
    /// what the call did to its arguments. What the program prints is part of a call's behaviour.
    static let javascript = EmbeddedFile.text(PackageResources.behaviour_probe_js)
}
