from tests.conftest import LIUJIAXIA, staff_in


def test_township_staff_sees_own_tree_and_not_sibling(client_for, township, township2, county):
    staff = staff_in(county, "622923101")
    client = client_for(township)
    assert client.get("/org/").status_code == 200
    assert client.get(f"/org/a/{LIUJIAXIA}/").status_code == 200
    assert client.get("/org/a/622923101/").status_code == 404
    assert client.get(f"/org/staff/{staff.pk}/").status_code == 404
