import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function, render_dot, to_dot


def test_course_worked_example():
    x, y, z = (cr.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = (x + y).retain_grad()
    f = q * z
    f.backward()
    assert f.item() == -12.0
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)


def test_reused_node_gets_the_sum_of_its_gradients():
    a = cr.tensor(3.0, requires_grad=True)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    # diamond: a feeds two branches that meet again
    a.grad = None
    c = a * 2.0
    d = c * c + c
    d.backward()
    assert a.grad == pytest.approx(2 * (2 * 6.0) + 2)


def test_gradients_accumulate_until_zeroed():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])


def test_long_chain_is_iterative():
    t = cr.tensor(1.0, requires_grad=True, dtype=np.float64)
    u = t
    for _ in range(10_000):
        u = u * 1.0001
    u.backward()
    assert t.grad == pytest.approx(1.0001 ** 10_000)


def test_second_backward_through_freed_graph_raises():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward_and_saved_values_are_freed_otherwise():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 8.0
    assert y.creator.saved == () and y.creator.freed


def test_broadcasting_gradients_are_summed_to_each_shape():
    a = cr.tensor(np.ones((3, 4)), requires_grad=True)
    b = cr.tensor(np.ones((4,)), requires_grad=True)
    c = cr.tensor(np.ones((3, 1)), requires_grad=True)
    (a * b + c).sum().backward()
    assert b.grad.shape == (4,) and np.all(b.grad == 3)
    assert c.grad.shape == (3, 1) and np.all(c.grad == 4)


def test_operators_values():
    a = cr.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose((2 - a).data, [[1, 0], [-1, -2]])
    np.testing.assert_allclose((1 / a).data, [[1, 0.5], [1 / 3, 0.25]])
    np.testing.assert_allclose((a @ a).data, [[7, 10], [15, 22]])
    np.testing.assert_allclose((a ** 2).data, [[1, 4], [9, 16]])
    np.testing.assert_allclose((-a).data, -a.data)
    np.testing.assert_allclose(a.max(axis=0).data, [3, 4])
    np.testing.assert_allclose(a.mean(axis=1, keepdims=True).data, [[1.5], [3.5]])
    np.testing.assert_allclose(a.T.data, [[1, 3], [2, 4]])
    np.testing.assert_allclose(a.reshape(4).data, [1, 2, 3, 4])
    np.testing.assert_allclose(a[np.array([1, 1]), 0].data, [3, 3])
    np.testing.assert_allclose((np.ones(2) + a).data, a.data + 1)  # ndarray on the left


def test_getitem_repeated_indices_accumulate():
    a = cr.tensor(np.arange(4.0), requires_grad=True)
    a[np.array([0, 0, 3])].sum().backward()
    np.testing.assert_array_equal(a.grad, [2, 0, 0, 1])


def test_max_ties_share_the_gradient():
    a = cr.tensor([1.0, 3.0, 3.0], requires_grad=True)
    a.max().backward()
    np.testing.assert_array_equal(a.grad, [0, 0.5, 0.5])


def test_no_grad_records_nothing():
    a = cr.tensor(1.0, requires_grad=True)
    with cr.no_grad():
        b = a * 2
    assert not b.requires_grad and b.creator is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        b.backward()


def test_detach_item_numpy_repr_dtype():
    a = cr.tensor([1.5, 2.5], requires_grad=True)
    assert a.dtype == np.float32 and a.shape == (2,)
    b = (a * 2).detach()
    assert b.is_leaf and not b.requires_grad
    assert b.numpy() is b.data
    assert "requires_grad=True" in repr(a) and "grad_fn=Mul" in repr(a * 2)
    assert cr.tensor(np.zeros(2)).dtype == np.float64  # arrays keep their float dtype
    with pytest.raises(ValueError, match="one element"):
        a.item()


def test_bad_inputs():
    with pytest.raises(TypeError, match="str"):
        cr.tensor("abc")
    with pytest.raises(TypeError):
        cr.tensor([1, "a"])
    with pytest.raises(ValueError, match="scalar"):
        cr.tensor([1.0, 2.0], requires_grad=True).__mul__(2).backward()
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 3\)"):
        cr.tensor(np.ones((2, 3))) @ cr.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="cannot reshape"):
        cr.tensor(np.ones(6)).reshape(4, 2)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="shape"):
        (x * 2).backward(grad=np.ones(3))


class Cube(Function):
    """y = x^3, dy/dx = 3 x^2 -- a user-defined function as in the README."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved
        return grad_out * 3 * x ** 2


def test_user_defined_function_and_needs_input_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3, 12])
    assert y.creator.name == "Cube"
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad_out):
            return None, grad_out

    Probe.apply(np.ones(2), x).sum().backward()
    assert seen == [(False, True)]


def test_to_dot_shows_operations_values_and_gradients(tmp_path):
    x, y, z = (cr.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = (x + y).retain_grad()
    f = q * z
    f.backward()
    dot = to_dot(f)
    assert dot.startswith("digraph")
    assert dot.count("shape=ellipse") == 2  # Add and Mul
    assert 'label="Add"' in dot and 'label="Mul"' in dot
    for text in ("value -12", "value 3", "grad -4", "grad 3", "value -2"):
        assert text in dot
    pytest.importorskip("shutil").which("dot") or pytest.skip("graphviz not installed")
    svg = render_dot(dot, tmp_path / "graph.svg")
    assert "<svg" in open(svg).read()
