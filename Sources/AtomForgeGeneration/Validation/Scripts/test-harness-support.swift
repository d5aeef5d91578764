
import Glibc

@inline(never)
func __atomforgeExpectEqual<T: Equatable>(
    _ got: @autoclosure () throws -> T, _ expected: @autoclosure () throws -> T, _ place: String
) rethrows {
    let (left, right) = (try got(), try expected())
    if left != right {
        print("test failed at \(place)\n  got:      \(String(reflecting: left))\n  expected: \(String(reflecting: right))")
        exit(1)
    }
}
