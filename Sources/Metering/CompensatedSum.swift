// A running floating-point sum that does not drift when values are added and later subtracted.

/// Neumaier's compensated summation: adding and subtracting many small costs keeps the total
/// accurate to the last bits instead of accumulating rounding error.
struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0

    var value: Double { sum + compensation }

    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    mutating func reset() {
        sum = 0
        compensation = 0
    }
}
